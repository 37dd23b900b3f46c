import { constants as osConstants } from 'node:os';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'winston';
import type { ProcessConfig } from '../../config/process.js';
import type { CallContext } from '../../core/context.js';
import { ToolError } from '../../core/errors.js';
import { defineOperation, type ToolOperation } from '../../core/operation.js';
import { recordProcessRun, type ProcessExitClass } from '../../infra/metrics.js';
import type { Workspace } from '../fileSystem/workspace.js';
import { resolveExecutable } from './executables.js';
import type { PidsCgroups } from './pidsCgroup.js';
import { startRun, type RunHandle, type RunResult } from './runner.js';
import { bwrapArgs, prlimitArgs, SANDBOX_PATH, SANDBOX_WORKSPACE, type SandboxLayout } from './sandbox.js';
import { RUN_OUTPUT_SCHEMA, runInputSchema, TOOL, type RunParams, type RunResultOut } from './schemas.js';
import type { ProcessSlots } from './slots.js';

export interface ProcessContext {
  config: ProcessConfig;
  ws: Workspace;
  logger: Logger;
  layout: SandboxLayout;
  /** From the startup probe; undefined when PROCESS_SANDBOX=none. */
  bwrap?: { command: string; disableUserns: boolean };
  cgroups?: PidsCgroups;
  slots: ProcessSlots;
  /** Runs in progress, so shutdown can stop them. */
  running: Set<RunHandle>;
  /** After every run: the result cache and the search index forget what they knew of the workspace. */
  afterRun: () => Promise<void>;
}

/** Progress messages carry output in pieces of at most this many characters, at most every PROGRESS_MS. */
const PROGRESS_CHUNK = 4096;
const PROGRESS_MS = 250;

function signalName(n: number): string | undefined {
  return Object.entries(osConstants.signals).find(([, v]) => v === n)?.[0];
}

function exitClass(run: RunResult, exitCode: number | null): ProcessExitClass {
  if (run.killedBy) return run.killedBy;
  if (exitCode === 0) return 'ok';
  return exitCode === null ? 'signal' : 'error';
}

function describe(config: ProcessConfig, sandboxed: boolean): string {
  const allowed = config.allow.length > 0 ? config.allow.join(', ') : 'none';
  return [
    'Runs a program in the workspace and returns its exit code, stdout and stderr.',
    `Give argv (program and arguments, no shell)${config.shell ? ' or command_line (run by /bin/sh -c)' : ''}; cwd is relative to the workspace root.`,
    `Allowed programs: ${allowed}.`,
    sandboxed
      ? `It runs in a sandbox: the workspace (${config.workspaceReadOnly ? 'read-only' : 'read-write'}) at ${SANDBOX_WORKSPACE}, system folders read-only, a private /tmp, ${config.network ? 'network allowed' : 'no network'}.`
      : 'It runs WITHOUT a sandbox (PROCESS_SANDBOX=none).',
    `Limits: ${config.defaultTimeoutMs} ms by default (timeout_ms up to ${config.maxTimeoutMs}), ${config.cpuSeconds} s CPU, ${config.maxProcesses} processes; output beyond ${config.maxOutputBytes} bytes per stream is dropped (stdout_truncated).`,
    'Background processes do not outlive the call. Files it writes are visible to read_file and search right after.',
  ].join(' ');
}

export function runOperation(tool: ProcessContext): ToolOperation<RunParams, RunResultOut> {
  const { config } = tool;
  const sandboxed = tool.bwrap !== undefined;
  const allow = new Set(config.allow);
  const envAllow = new Set(config.envAllow);

  return defineOperation<RunParams, RunResultOut>({
    tool: TOOL,
    operation: 'run',
    mcpName: 'run_process',
    title: 'Run a command',
    description: describe(config, sandboxed),
    inputSchema: runInputSchema(config),
    outputSchema: RUN_OUTPUT_SCHEMA,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: config.network },
    // Security: its own permission; neither read nor write grants it (core/caller.ts).
    scope: 'exec',
    // The handler's own wall-time limit comes first; this only covers killing and reindexing after it.
    timeoutMs: config.maxTimeoutMs + 30_000,
    handler: async (params, ctx) => run(tool, params, ctx, { sandboxed, allow, envAllow }),
  });
}

async function run(
  tool: ProcessContext,
  params: RunParams,
  ctx: CallContext,
  rules: { sandboxed: boolean; allow: ReadonlySet<string>; envAllow: ReadonlySet<string> },
): Promise<RunResultOut> {
  const { config } = tool;
  if ((params.argv === undefined) === (params.command_line === undefined)) {
    throw new ToolError(
      'INVALID_PARAMS',
      config.shell ? 'Give either argv or command_line, not both and not neither.' : 'argv is required.',
    );
  }
  const texts = [...(params.argv ?? []), params.command_line ?? '', params.stdin_text ?? '', ...Object.values(params.env ?? {})];
  // Security: a NUL byte would cut an argument short inside the OS call; refuse it outright.
  if (texts.some((t) => t.includes('\0')))
    throw new ToolError('INVALID_PARAMS', 'Arguments, input and env values must not contain NUL bytes.');
  for (const name of Object.keys(params.env ?? {})) {
    if (!rules.envAllow.has(name)) {
      const allowed = rules.envAllow.size > 0 ? [...rules.envAllow].join(', ') : 'none';
      throw new ToolError('FORBIDDEN', `The environment variable ${name} may not be set (PROCESS_ENV_ALLOW allows: ${allowed}).`);
    }
  }

  // argv mode: only allowed programs. Shell mode: /bin/sh runs the line (the sandbox is the boundary).
  const argv = params.argv
    ? [resolveExecutable(params.argv[0]!, rules.allow), ...params.argv.slice(1)]
    : ['/bin/sh', '-c', params.command_line!];
  const cwdRel = await resolveCwd(tool.ws, params.cwd ?? '');
  const timeoutMs = Math.min(params.timeout_ms ?? config.defaultTimeoutMs, config.maxTimeoutMs);

  // Security: the environment is built from nothing: no variable of the server's (keys, database
  // and Redis URLs, OAuth secrets) reaches the command.
  const env: Record<string, string> = {
    PATH: SANDBOX_PATH,
    HOME: rules.sandboxed ? SANDBOX_WORKSPACE : tool.ws.root,
    // A fixed UTF-8 locale: output decodes the same whatever the server's own locale is.
    LANG: 'C.UTF-8',
    ...params.env,
  };

  const release = tool.slots.acquire(ctx.caller.id);
  let cgroup: string | undefined;
  let fdArgs: string[] | undefined;
  let handle: RunHandle | undefined;
  const flushProgress = progressSender(ctx);
  try {
    // The backstop fires well after our own timer, which is what normally stops a run.
    let command = [...prlimitArgs(config, Math.ceil(timeoutMs / 1000) + 10), ...argv];
    if (rules.sandboxed) {
      fdArgs = bwrapArgs({ config, layout: tool.layout, cwdRel, disableUserns: tool.bwrap!.disableUserns });
      command = [tool.bwrap!.command, '--args', '4', '--', ...command];
      if (tool.cgroups) {
        // bwrap, its PID 1 and the limit's worth of the command's own processes.
        cgroup = tool.cgroups.create(config.maxProcesses + 3);
        // The wrapper joins the cgroup and then becomes bwrap, so nothing runs outside it.
        command = ['/bin/sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgroup, ...command];
      }
    }
    handle = startRun({
      command,
      env,
      // Sandboxed, bwrap's own folder is '/' so no host path reaches the sandbox (it would show in PWD).
      cwd: rules.sandboxed ? '/' : path.join(tool.ws.root, cwdRel),
      sandboxed: rules.sandboxed,
      fdArgs,
      stdin: params.stdin_text,
      timeoutMs,
      maxOutputBytes: config.maxOutputBytes,
      signal: ctx.signal,
      watchProcesses: rules.sandboxed && !tool.cgroups ? config.maxProcesses : undefined,
      onOutput: flushProgress.push,
    });
    tool.running.add(handle);
    const result = await handle.done;
    flushProgress.end();
    if (result.spawnError) {
      tool.logger.error('process run could not start', { requestId: ctx.requestId, error: result.spawnError });
      throw new ToolError(
        'UNAVAILABLE',
        'The command could not be started on this server (its sandbox is not available); try again later.',
      );
    }

    let exitCode = result.exitCode;
    let signal = result.signal;
    // bwrap reports a command ended by signal N as exit status 128 + N.
    if (rules.sandboxed && exitCode !== null && exitCode > 128 && exitCode < 128 + 65) {
      signal = signalName(exitCode - 128) ?? null;
      if (signal) exitCode = null;
    }
    const exitKind = exitClass(result, exitCode);
    recordProcessRun(exitKind);
    // Security (accountability): one line per run; never the output or the input.
    tool.logger.info('process run', {
      requestId: ctx.requestId,
      caller: ctx.caller.id,
      argv0: params.argv?.[0] ?? '/bin/sh -c',
      cwd: cwdRel === '' ? '/' : cwdRel,
      exit_code: exitCode,
      signal,
      killed_by: result.killedBy,
      duration_ms: result.durationMs,
      stdout_bytes: result.stdout.total,
      stderr_bytes: result.stderr.total,
      stdin_bytes: Buffer.byteLength(params.stdin_text ?? ''),
      sandboxed: rules.sandboxed,
    });
    if (result.killedBy === 'cancelled') throw new ToolError('CANCELLED', 'The request was cancelled; the command was killed.');
    if (result.killedBy === 'shutdown') throw new ToolError('UNAVAILABLE', 'The server is shutting down; the command was killed.');
    return {
      exit_code: exitCode,
      signal,
      timed_out: result.killedBy === 'timeout',
      killed_by: result.killedBy,
      stdout: result.stdout.text(),
      stderr: result.stderr.text(),
      stdout_bytes: result.stdout.total,
      stderr_bytes: result.stderr.total,
      stdout_truncated: result.stdout.truncated,
      stderr_truncated: result.stderr.truncated,
      duration_ms: result.durationMs,
      sandboxed: rules.sandboxed,
    };
  } finally {
    flushProgress.end();
    if (handle) tool.running.delete(handle);
    release();
    if (cgroup) await tool.cgroups?.remove(cgroup);
    if (handle) await tool.afterRun();
  }
}

/** The working folder: inside the workspace, links followed only where they stay inside, a folder. */
async function resolveCwd(ws: Workspace, cwd: string): Promise<string> {
  const resolved = await ws.resolveExisting(cwd, { followFinal: true });
  const real = await realpath(resolved.abs);
  const rel = path.relative(ws.root, real);
  // Security: resolveExisting already refused links out; this re-checks the final answer.
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new ToolError('FORBIDDEN', `cwd "${cwd}" is outside the workspace.`);
  if (!(await stat(real)).isDirectory()) throw new ToolError('INVALID_PARAMS', `cwd "${cwd}" is not a folder.`);
  return rel.split(path.sep).join('/');
}

/**
 * Output as MCP progress notifications (a no-op unless the caller sent a progressToken):
 * `progress` is the bytes of output so far, `message` the new text, batched.
 */
function progressSender(ctx: CallContext): { push: (stream: 'stdout' | 'stderr', text: string) => void; end: () => void } {
  let pending = '';
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    while (pending.length > 0) {
      const piece = pending.slice(0, PROGRESS_CHUNK);
      pending = pending.slice(piece.length);
      bytes += Buffer.byteLength(piece);
      ctx.progress({ progress: bytes, message: piece });
    }
  };
  return {
    push: (stream, text) => {
      if (ended) return;
      pending += stream === 'stderr' ? `[stderr] ${text}` : text;
      if (pending.length >= PROGRESS_CHUNK) flush();
      else timer ??= setTimeout(flush, PROGRESS_MS);
    },
    end: () => {
      if (ended) return;
      ended = true;
      flush();
    },
  };
}

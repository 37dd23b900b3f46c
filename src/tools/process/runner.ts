import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { OutputBuffer } from './outputBuffer.js';

export type KilledBy = 'timeout' | 'process_limit' | 'cancelled' | 'shutdown';

export interface RunSpec {
  /** What is spawned: [bwrap …, --, prlimit …, --, argv…] or, unsandboxed, [prlimit …, --, argv…]. */
  command: string[];
  env: Record<string, string>;
  /** Host folder the spawned program starts in. */
  cwd: string;
  /** bwrap mode: the sandbox writes its PID 1's host pid as JSON to fd 3. */
  sandboxed: boolean;
  /**
   * bwrap mode: options handed over on fd 4 (`--args 4` in `command`) rather than on the command
   * line, which the command could read as /proc/1/cmdline. Security: they name host paths.
   */
  fdArgs?: string[];
  stdin?: string;
  timeoutMs: number;
  maxOutputBytes: number;
  signal: AbortSignal;
  /** Watchdog: most processes inside the sandbox (checked a few times a second), when no cgroup limits them. */
  watchProcesses?: number;
  /** Called with each piece of kept output, for progress notifications. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  killedBy: KilledBy | null;
  stdout: OutputBuffer;
  stderr: OutputBuffer;
  durationMs: number;
  /** The program could not be started at all (e.g. bwrap removed since startup). */
  spawnError?: string;
}

/** A started run; `stop` ends it early (shutdown), `done` settles once every process is gone. */
export interface RunHandle {
  done: Promise<RunResult>;
  stop: (why: KilledBy) => void;
}

const WATCH_INTERVAL_MS = 100;
/** How long the outer bwrap gets to exit by itself after its sandbox's PID 1 was killed. */
const OUTER_GRACE_MS = 5_000;

/**
 * Starts one command and collects its output, capped while reading.
 *
 * Killing (timeout, cancellation, process limit, shutdown) is SIGKILL with no grace period: the
 * run is thrown away, so a command that ignores SIGTERM changes nothing. Sandboxed, the signal
 * goes to the sandbox's PID 1: when a PID namespace's init dies the kernel kills every process in
 * it, double-forked daemons included, and the outer bwrap (our child) then exits and is reaped,
 * so nothing is orphaned or left a zombie. Unsandboxed, the whole process group is killed.
 */
export function startRun(spec: RunSpec): RunHandle {
  const started = performance.now();
  const stdout = new OutputBuffer(spec.maxOutputBytes);
  const stderr = new OutputBuffer(spec.maxOutputBytes);
  const child = spawn(spec.command[0]!, spec.command.slice(1), {
    cwd: spec.cwd,
    env: spec.env,
    // Security: its own process group, so a kill reaches every process the command started there.
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe', spec.sandboxed ? 'pipe' : 'ignore', spec.fdArgs ? 'pipe' : 'ignore'],
  });
  if (spec.fdArgs) {
    const argsPipe = child.stdio[4] as NodeJS.WritableStream & { on: (e: string, f: () => void) => void };
    argsPipe.on('error', () => undefined);
    argsPipe.end(spec.fdArgs.map((a) => `${a}\0`).join(''));
  }

  let killedBy: KilledBy | null = null;
  let exited = false;
  let sandboxPid: number | undefined;
  let killPending = false;
  let outerTimer: NodeJS.Timeout | undefined;

  const killGroup = () => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const killAll = () => {
    if (exited) return;
    if (!spec.sandboxed) return killGroup();
    if (sandboxPid === undefined) {
      // The sandbox has not said who its PID 1 is yet: kill it as soon as it does, and the
      // outer bwrap in any case if that never comes.
      killPending = true;
    } else {
      try {
        process.kill(sandboxPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    outerTimer ??= setTimeout(killGroup, OUTER_GRACE_MS);
  };
  const stop = (why: KilledBy) => {
    if (exited) return;
    killedBy ??= why;
    killAll();
  };

  if (spec.sandboxed) {
    const info = child.stdio[3] as Readable;
    let text = '';
    info.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (match && sandboxPid === undefined) {
        sandboxPid = Number(match[1]);
        if (killPending) killAll();
      }
    });
    info.on('error', () => undefined);
  }

  const collect = (stream: Readable, buffer: OutputBuffer, name: 'stdout' | 'stderr') => {
    stream.on('data', (chunk: Buffer) => {
      const kept = buffer.push(chunk);
      if (kept.length > 0) spec.onOutput?.(name, kept.toString('utf8'));
    });
    stream.on('error', () => undefined);
  };
  collect(child.stdout!, stdout, 'stdout');
  collect(child.stderr!, stderr, 'stderr');
  child.stdin!.on('error', () => undefined); // EPIPE when the command does not read its input
  child.stdin!.end(spec.stdin ?? '');

  const timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
  const onAbort = () => stop('cancelled');
  if (spec.signal.aborted) onAbort();
  else spec.signal.addEventListener('abort', onAbort, { once: true });

  // Security: RLIMIT_NPROC does not bind a real root user; count the sandbox's processes through
  // its own /proc (reachable as /proc/<pid 1>/root/proc) and kill the run past the limit.
  let watchdog: NodeJS.Timeout | undefined;
  if (spec.sandboxed && spec.watchProcesses !== undefined) {
    const limit = spec.watchProcesses;
    let busy = false;
    watchdog = setInterval(() => {
      if (busy || sandboxPid === undefined || exited) return;
      busy = true;
      readdir(`/proc/${sandboxPid}/root/proc`)
        .then((names) => {
          // PID 1 is the sandbox's init, not the command's.
          if (names.filter((n) => /^\d+$/.test(n)).length - 1 > limit) stop('process_limit');
        })
        .catch(() => undefined)
        .finally(() => {
          busy = false;
        });
    }, WATCH_INTERVAL_MS);
  }

  const done = new Promise<RunResult>((resolve) => {
    let settled = false;
    let spawnError: string | undefined;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      exited = true;
      clearTimeout(timer);
      clearTimeout(outerTimer);
      clearInterval(watchdog);
      spec.signal.removeEventListener('abort', onAbort);
      resolve({ exitCode, signal, killedBy, stdout, stderr, durationMs: Math.round(performance.now() - started), spawnError });
    };
    // 'close' comes after the process exited and every pipe to it closed.
    child.on('close', (code, signal) => finish(code, signal));
    child.on('exit', () => {
      // Unsandboxed, whatever the command left behind in its group goes with it (and frees the pipes).
      if (!spec.sandboxed) killGroup();
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error.code ?? error.message;
      finish(null, null);
    });
  });
  return { done, stop };
}

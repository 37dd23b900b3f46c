import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../config/env.js';
import type { ToolEnv, ToolFactory, ToolModule } from '../../core/toolModule.js';
import { WORKSPACE_TAG } from '../fileSystem/cacheTags.js';
import { Workspace } from '../fileSystem/workspace.js';
import { PidsCgroups } from './pidsCgroup.js';
import type { RunHandle } from './runner.js';
import { runOperation, type ProcessContext } from './runOperation.js';
import { probeBwrap, type SandboxLayout } from './sandbox.js';
import { TOOL } from './schemas.js';
import { ProcessSlots } from './slots.js';

/** The server's own install folder (src/.. or dist/..): never visible to a command. */
const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * process tool: `run` (MCP `run_process`). Off unless PROCESS_ENABLED=true; then sandboxed with
 * bubblewrap unless PROCESS_SANDBOX=none, and the server refuses to start when bubblewrap does
 * not work here rather than run commands unconfined by surprise.
 */
export const createProcessTool: ToolFactory = (env) => buildProcessTool(env);

/**
 * The factory, with test seams: the bubblewrap binary (a host where it does not work) and the
 * pids cgroup (`cgroups: false` exercises the watchdog on a host that has one).
 */
export async function buildProcessTool(env: ToolEnv, testing: { bwrap?: string; cgroups?: false } = {}): Promise<ToolModule> {
  const config = env.config.process;
  const bwrapCommand = testing.bwrap ?? 'bwrap';
  if (!config.enabled) return { name: TOOL, operations: [] };

  const ws = await Workspace.open(env.config.server.workspaceDir, { allowHardLinks: env.config.fileSystem.allowHardLinks });
  const dataDir = env.config.server.dataDir;
  const hidden = [dataDir, APP_ROOT, path.join(process.cwd(), '.env'), ...(env.config.log.fileDir ? [env.config.log.fileDir] : [])];
  // Security: a command sees the whole workspace, so the server's state and code must not be it.
  for (const [name, dir] of [
    ['DATA_DIR', dataDir],
    ['the server folder', APP_ROOT],
  ] as const) {
    if (existsSync(dir) && path.relative(dir, ws.root) === '')
      throw new ConfigError('WORKSPACE_DIR', `a folder other than ${name} when PROCESS_ENABLED=true (commands see the whole workspace)`);
  }
  const layout: SandboxLayout = { workspaceRoot: ws.root, hidden };

  let bwrap: ProcessContext['bwrap'];
  if (config.sandbox === 'bwrap') {
    const probe = probeBwrap(config, layout, bwrapCommand);
    if (!probe.ok) {
      throw new ConfigError(
        'PROCESS_SANDBOX',
        `none to run commands without a sandbox, because bubblewrap does not work here (${probe.reason}); install bubblewrap and allow user namespaces, or set PROCESS_ENABLED=false`,
      );
    }
    bwrap = { command: bwrapCommand, disableUserns: probe.disableUserns };
  } else {
    env.logger.warn(
      'process tool: PROCESS_SANDBOX=none — commands run WITHOUT a sandbox, with this server’s user, files and network (only the allowlist, the cleared environment and the resource limits apply)',
    );
  }
  const cgroups = bwrap && testing.cgroups !== false ? PidsCgroups.detect() : undefined;
  if (bwrap && !cgroups && process.getuid?.() === 0) {
    env.logger.warn(
      'process tool: running as root without a writable pids cgroup; the process limit is kept by a watchdog, not by the kernel',
    );
  }

  const running = new Set<RunHandle>();
  const tool: ProcessContext = {
    config,
    ws,
    logger: env.logger,
    layout,
    bwrap,
    cgroups,
    slots: new ProcessSlots(config.maxConcurrent, config.maxPerCaller),
    running,
    afterRun: async () => {
      if (config.workspaceReadOnly && bwrap) return;
      // A command may have changed any file: drop cached reads and bring the search index up to date.
      await env.invalidate?.([WORKSPACE_TAG]).catch(() => undefined);
      await env.workspaceEvents.emit({ kind: 'write', path: '' }, (error) =>
        env.logger.warn('workspace listener failed after a process run', { error: error instanceof Error ? error.message : String(error) }),
      );
    },
  };
  env.logger.info('process tool enabled', {
    sandbox: bwrap ? 'bwrap' : 'none',
    allow: config.allow,
    shell: config.shell,
    network: config.network,
    pidsCgroup: Boolean(cgroups),
  });

  return {
    name: TOOL,
    operations: [runOperation(tool)],
    close: async () => {
      // Shutdown: every run still going is killed, and waited for, so no process outlives the server.
      const pending = [...running];
      for (const handle of pending) handle.stop('shutdown');
      await Promise.all(pending.map((h) => h.done));
      cgroups?.close();
    },
  };
}

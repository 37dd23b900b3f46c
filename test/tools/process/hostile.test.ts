import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolFactory } from '../../../src/core/toolModule.js';
import { createFileSystemTool } from '../../../src/tools/fileSystem/index.js';
import { buildProcessTool, createProcessTool } from '../../../src/tools/process/index.js';
import { PidsCgroups } from '../../../src/tools/process/pidsCgroup.js';
import { createToolHarness, type ToolHarness } from '../../helpers/toolHarness.js';
import { describeWithBwrap, PROCESS_ENV, processesWith, zombieChildren } from './helpers.js';

type Result = Record<string, any>;
const EXEC = { scopes: ['read', 'write', 'exec'] as ('read' | 'write' | 'exec')[] };

/** A unique number to find a run's processes by on the host (`sleep <marker>`). */
let markerSeq = 0;
const marker = () => String(900_000 + process.pid * 10 + markerSeq++ * 1_000_000);

// The hostile list of the issue: each attempt is made from inside the sandbox and must fail, or be
// stopped within its limit with nothing left behind.
describeWithBwrap('process tool: escape attempts and runaway commands', () => {
  let h: ToolHarness;
  const run = (params: unknown) => h.call('run_process', params, EXEC) as Promise<Result>;
  const sh = (script: string, extra: Record<string, unknown> = {}) => run({ argv: ['sh', '-c', script], ...extra });

  beforeAll(async () => {
    h = await createToolHarness([createFileSystemTool, createProcessTool], {
      ...PROCESS_ENV,
      PROCESS_MAX_PROCS: '16',
      PROCESS_MAX_OUTPUT_BYTES: '65536',
      PROCESS_MAX_FILE_BYTES: '1048576',
    });
    writeFileSync(path.join(h.dataDir, 'api-key'), 'mcp_data-dir-secret');
  });
  afterAll(async () => {
    await h?.close();
    expect(zombieChildren()).toEqual([]);
  });

  it('Security: /etc/shadow is not there to read', async () => {
    const result = await sh('cat /etc/shadow; ls /etc');
    expect(result.stderr).toContain('/etc/shadow: No such file or directory');
    expect(result.stdout).not.toMatch(/^shadow$/m);
    expect(result.stdout).toMatch(/^passwd$/m);
  });

  it("Security: the server's DATA_DIR, its folder, /root and /home are not reachable", async () => {
    const result = await sh(`cat ${h.dataDir}/api-key; ls ${h.dataDir} ${path.dirname(h.dataDir)} /root /home /var; echo done`);
    expect(result.stdout).toBe('done\n');
    expect(result.stdout + result.stderr).not.toContain('data-dir-secret');
    expect((await sh(`ls ${process.cwd()}`)).exit_code).not.toBe(0);
  });

  it("Security: /proc shows only the sandbox's processes and none of the server's environment", async () => {
    process.env.MCP_TEST_SECRET = 'server-secret-value';
    try {
      const result = await sh('ls /proc | grep -c "^[0-9]"; cat /proc/1/environ /proc/*/environ 2>/dev/null | tr "\\0" "\\n"');
      const [count, ...environ] = result.stdout.trim().split('\n');
      expect(Number(count)).toBeLessThan(8);
      expect(result.stdout).not.toContain('server-secret-value');
      expect(environ.every((line: string) => /^(PATH|HOME|LANG|PWD|SHLVL|_|OLDPWD)=/.test(line) || line === '')).toBe(true);
      expect(result.stdout).not.toContain(h.workspaceDir);
      expect((await sh('cat /proc/1/cmdline | tr "\\0" " "')).stdout).not.toContain(h.workspaceDir);
    } finally {
      delete process.env.MCP_TEST_SECRET;
    }
  });

  it('Security: a symlink out of the workspace made by the command leads nowhere, inside or through file_system', async () => {
    const result = await sh(`ln -s /etc/shadow shadow-link && ln -s ${h.dataDir} data-link && cat shadow-link; ls data-link/; echo end`);
    expect(result.stdout).toBe('end\n');
    for (const link of ['shadow-link', 'data-link/api-key']) {
      const error = await h.call('read_file', { path: link }).catch((e: { code: string }) => e);
      expect((error as { code: string }).code, link).toBe('FORBIDDEN');
    }
  });

  it('Security: .. in arguments and cwd stays inside the sandbox', async () => {
    mkdirSync(path.join(h.workspaceDir, 'a'), { recursive: true });
    const result = await sh('cd ../../..; pwd; cat ../../etc/shadow; ls', { cwd: 'a' });
    expect(result.stdout.split('\n')[0]).toBe('/');
    expect(result.stdout).not.toContain(path.basename(h.dataDir));
    expect((await run({ argv: ['true'], cwd: 'a/../..' }).catch((e) => e)).code).toBe('FORBIDDEN');
  });

  it('Security: the network is refused (an empty network namespace)', async () => {
    const listener: Server = createServer((socket) => socket.end('hello from the host\n'));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as { port: number };
    try {
      const result = await run({ argv: ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port} && cat <&3`] });
      expect(result.exit_code).not.toBe(0);
      expect(result.stdout).not.toContain('hello from the host');
      expect(h.registry.byMcpName('run_process')!.op.annotations.openWorldHint).toBe(false);
    } finally {
      listener.close();
    }
  });

  it('stops a fork bomb at the process limit and leaves nothing behind', async () => {
    const tag = marker();
    // The classic bomb backgrounds itself; the shell then waits, so the run lasts until stopped.
    const result = await run({ argv: ['bash', '-c', `: ${tag}; bomb() { bomb | bomb & }; bomb; sleep 600`], timeout_ms: 5_000 });
    // With a pids cgroup the forks fail and the time limit ends it; without one the watchdog kills
    // it (root) or RLIMIT_NPROC refuses the forks (other users).
    expect(['timeout', 'process_limit']).toContain(result.killed_by);
    expect(processesWith(tag)).toEqual([]);
  }, 60_000);

  it('stops an infinite loop at the time limit', async () => {
    const result = await sh('while :; do :; done', { timeout_ms: 500 });
    expect(result).toMatchObject({ timed_out: true, killed_by: 'timeout', signal: 'SIGKILL' });
  });

  it('reads 10 GB of output without keeping it: capped while reading, counted, stopped at the limit', async () => {
    const before = process.memoryUsage().rss;
    const result = await run({ argv: ['head', '-c', String(10 * 1024 ** 3), '/dev/zero'], timeout_ms: 3_000 });
    expect(result.stdout.length).toBe(65_536);
    expect(result.stdout_truncated).toBe(true);
    expect(result.stdout_bytes).toBeGreaterThan(65_536);
    // Either it finished (all 10 GiB counted) or the time limit stopped it.
    expect(result.stdout_bytes === 10 * 1024 ** 3 || result.timed_out).toBe(true);
    expect(process.memoryUsage().rss - before).toBeLessThan(512 * 1024 * 1024);
  }, 60_000);

  it('caps the size of a file the command writes (RLIMIT_FSIZE)', async () => {
    const result = await sh('head -c 5000000 /dev/zero > big.bin; echo "exit $?"; wc -c < big.bin');
    expect(Number(result.stdout.trim().split('\n').pop())).toBeLessThanOrEqual(1_048_576);
  });

  it('kills a process that ignores SIGTERM, and its children', async () => {
    const tag = marker();
    const result = await sh(`trap "" TERM; sleep ${tag} & while :; do sleep 1; done`, { timeout_ms: 800 });
    expect(result).toMatchObject({ timed_out: true, killed_by: 'timeout' });
    expect(processesWith(tag)).toEqual([]);
  });

  it('Security: a double-forked daemon does not outlive the call (ended with the sandbox)', async () => {
    const tag = marker();
    const result = await sh(`(setsid sh -c "sleep ${tag}" > /dev/null 2>&1 &) ; (nohup sleep ${tag} > /dev/null 2>&1 &); echo started`);
    expect(result).toMatchObject({ exit_code: 0, stdout: 'started\n', timed_out: false });
    expect(processesWith(tag)).toEqual([]);
    // And one still running when the time limit strikes.
    const late = marker();
    const timed = await sh(`(setsid sleep ${late} &); sleep 600`, { timeout_ms: 500 });
    expect(timed.timed_out).toBe(true);
    expect(processesWith(late)).toEqual([]);
  });

  it('leaves no zombie behind after all of this', () => {
    expect(zombieChildren()).toEqual([]);
  });
});

describeWithBwrap('process tool: the CPU limit and the process-count watchdog', () => {
  const harnesses: ToolHarness[] = [];
  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });
  const harness = async (factory: ToolFactory, env: Record<string, string>) => {
    const h = await createToolHarness(factory, { ...PROCESS_ENV, ...env });
    harnesses.push(h);
    return h;
  };

  it('kills a CPU-bound command at PROCESS_CPU_SECONDS (not its wall time)', async () => {
    const h = await harness(createProcessTool, { PROCESS_CPU_SECONDS: '1' });
    const result = (await h.call('run_process', { argv: ['sh', '-c', 'while :; do :; done'], timeout_ms: 120_000 }, EXEC)) as Result;
    expect(result.timed_out).toBe(false);
    expect(['SIGKILL', 'SIGXCPU']).toContain(result.signal);
  }, 180_000);

  it('without a pids cgroup, the watchdog (root) or RLIMIT_NPROC (other users) stops runs past PROCESS_MAX_PROCS', async () => {
    const h = await harness((env) => buildProcessTool(env, { cgroups: false }), { PROCESS_MAX_PROCS: '8' });
    const tag = marker();
    const result = (await h.call(
      'run_process',
      { argv: ['sh', '-c', `for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do sleep ${tag} & done; wait`], timeout_ms: 30_000 },
      EXEC,
    )) as Result;
    if (process.getuid?.() === 0) expect(result.killed_by).toBe('process_limit');
    else expect(result.stderr).toMatch(/fork|resource/i);
    expect(processesWith(tag)).toEqual([]);
  }, 60_000);

  it.skipIf(!PidsCgroups.detect())(
    'with a pids cgroup, forks past PROCESS_MAX_PROCS fail',
    async () => {
      const h = await harness(createProcessTool, { PROCESS_MAX_PROCS: '8' });
      const tag = marker();
      const result = (await h.call(
        'run_process',
        { argv: ['sh', '-c', `for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do sleep ${tag} & done; kill 0`], timeout_ms: 30_000 },
        EXEC,
      )) as Result;
      expect(result.stderr).toMatch(/fork/i);
      expect(processesWith(tag)).toEqual([]);
    },
    60_000,
  );
});

describe('process tool: refusals that need no sandbox', () => {
  it('Security: a disallowed executable is refused before anything starts (also unsandboxed)', async () => {
    const h = await createToolHarness(createProcessTool, { ...PROCESS_ENV, PROCESS_SANDBOX: 'none' });
    try {
      const error = (await h.call('run_process', { argv: ['rm', '-rf', '/'] }, EXEC).catch((e: unknown) => e)) as { code: string };
      expect(error.code).toBe('FORBIDDEN');
      const unsandboxed = (await h.call('run_process', { argv: ['sh', '-c', 'echo $HOME; env | wc -l'] }, EXEC)) as Result;
      expect(unsandboxed.sandboxed).toBe(false);
      expect(unsandboxed.stdout.split('\n')[0]).toBe(h.workspaceDir);
    } finally {
      await h.close();
    }
  });
});

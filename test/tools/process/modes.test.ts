import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createProcessTool } from '../../../src/tools/process/index.js';
import { createToolHarness, type ToolHarness } from '../../helpers/toolHarness.js';
import { describeWithBwrap, PROCESS_ENV, processesWith } from './helpers.js';

type Result = Record<string, any>;
const EXEC = { scopes: ['exec'] as 'exec'[] };

describeWithBwrap('process tool settings', () => {
  const harnesses: ToolHarness[] = [];
  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });
  const harness = async (env: Record<string, string>) => {
    const h = await createToolHarness(createProcessTool, { ...PROCESS_ENV, ...env });
    harnesses.push(h);
    return {
      h,
      run: (params: unknown, callerId?: string) => h.call('run_process', params, { ...EXEC, callerId }) as Promise<Result>,
    };
  };

  it('PROCESS_WORKSPACE_READONLY=true: commands read the workspace but cannot change it', async () => {
    const { h, run } = await harness({ PROCESS_WORKSPACE_READONLY: 'true' });
    writeFileSync(path.join(h.workspaceDir, 'keep.txt'), 'original');
    const result = await run({ argv: ['sh', '-c', 'cat keep.txt; echo changed > keep.txt; rm keep.txt; touch new.txt'] });
    expect(result.stdout).toBe('original');
    expect(result.stderr).toMatch(/Read-only file system/);
    expect(readFileSync(path.join(h.workspaceDir, 'keep.txt'), 'utf8')).toBe('original');
    expect(existsSync(path.join(h.workspaceDir, 'new.txt'))).toBe(false);
  });

  it('PROCESS_NETWORK=true keeps the host network (and says so in openWorldHint)', async () => {
    const { h, run } = await harness({ PROCESS_NETWORK: 'true' });
    const listener = createServer((socket) => socket.end('hello from the host\n'));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = listener.address() as { port: number };
      const result = await run({ argv: ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port} && cat <&3`] });
      expect(result.stdout).toBe('hello from the host\n');
      expect(h.registry.byMcpName('run_process')!.op.annotations.openWorldHint).toBe(true);
    } finally {
      listener.close();
    }
  });

  it('PROCESS_SHELL=true: command_line runs through /bin/sh; exactly one of argv and command_line', async () => {
    const { h, run } = await harness({ PROCESS_SHELL: 'true' });
    writeFileSync(path.join(h.workspaceDir, 'a.md'), 'x');
    writeFileSync(path.join(h.workspaceDir, 'b.md'), 'y');
    expect((await run({ command_line: 'ls *.md | wc -l; echo $((6 * 7))' })).stdout).toBe('2\n42\n');
    for (const params of [{ argv: ['true'], command_line: 'true' }, {}]) {
      expect((await run(params).catch((e) => e)).code).toBe('INVALID_PARAMS');
    }
  });

  it('gives every run its own empty /tmp', async () => {
    const { run } = await harness({});
    await run({ argv: ['sh', '-c', 'echo left > /tmp/from-first-run'] });
    const second = await run({ argv: ['sh', '-c', 'ls -A /tmp; df -k /tmp | tail -1'] });
    expect(second.stdout).not.toContain('from-first-run');
  });

  it.skipIf(!existsSync('/usr/bin/python3'))('PROCESS_MEMORY_MB bounds the address space of a process', async () => {
    const { run } = await harness({ PROCESS_MEMORY_MB: '128' });
    const result = await run({ argv: ['python3', '-c', 'x = bytearray(512 * 1024 * 1024); print("allocated")'] });
    expect(result.stdout).not.toContain('allocated');
    expect(result.stderr).toContain('MemoryError');
  });

  it('PROCESS_MAX_CONCURRENT caps runs across callers on this server', async () => {
    const { run } = await harness({ PROCESS_MAX_CONCURRENT: '1', PROCESS_MAX_PER_CALLER: '1' });
    const tag = String(8_200_000 + process.pid);
    const first = run({ argv: ['sleep', tag], timeout_ms: 10_000 }, 'first');
    // Only once its command runs is the first call certainly holding the server's one slot.
    await expect.poll(() => processesWith(tag).length, { timeout: 30_000, interval: 50 }).toBeGreaterThan(0);
    expect((await run({ argv: ['true'] }, 'second').catch((e) => e)).message).toContain('The server is running 1 commands');
    expect((await first).timed_out).toBe(true);
    await expect.poll(async () => (await run({ argv: ['true'] }, 'second').catch((e) => e)).exit_code, { timeout: 20_000 }).toBe(0);
  });
});

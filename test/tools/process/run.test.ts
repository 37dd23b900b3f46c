import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileSystemTool } from '../../../src/tools/fileSystem/index.js';
import { createProcessTool } from '../../../src/tools/process/index.js';
import { createWebSearchTool } from '../../../src/tools/webSearch/index.js';
import { createToolHarness, type ToolHarness } from '../../helpers/toolHarness.js';
import { describeWithBwrap, PROCESS_ENV, processesWith } from './helpers.js';

const EXEC = { scopes: ['read', 'write', 'exec'] as ('read' | 'write' | 'exec')[] };

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('the call succeeded');
}

describe('process tool off by default', () => {
  it('has no operations unless PROCESS_ENABLED=true', async () => {
    const h = await createToolHarness(createProcessTool, {});
    try {
      expect(h.module.operations).toEqual([]);
      expect(h.registry.byMcpName('run_process')).toBeUndefined();
    } finally {
      await h.close();
    }
  });
});

describeWithBwrap('process tool: run (sandboxed)', () => {
  let h: ToolHarness;
  const run = (params: unknown, options = EXEC) => h.call('run_process', params, options) as Promise<Record<string, any>>;

  beforeAll(async () => {
    h = await createToolHarness([createFileSystemTool, createWebSearchTool, createProcessTool], {
      ...PROCESS_ENV,
      PROCESS_ENV_ALLOW: 'GREETING',
      PROCESS_MAX_OUTPUT_BYTES: '1024',
      PROCESS_MAX_PER_CALLER: '1',
      SEARCH_RESCAN_INTERVAL_MS: '0',
    });
  });
  afterAll(async () => h?.close());

  it('runs argv and returns exit code, output and counts in the declared shape', async () => {
    const result = await run({ argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
    expect(result).toMatchObject({
      exit_code: 3,
      signal: null,
      timed_out: false,
      killed_by: null,
      stdout: 'out\n',
      stderr: 'err\n',
      stdout_bytes: 4,
      stderr_bytes: 4,
      stdout_truncated: false,
      sandboxed: true,
    });
    const entry = h.registry.byMcpName('run_process')!;
    expect(entry.validateOutput(result)).toBe(true);
    expect(entry.op.scope).toBe('exec');
    expect(entry.op.annotations).toEqual({ readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false });
  });

  it('Security: needs the exec scope; read+write is not enough', async () => {
    const error = await failure(run({ argv: ['true'] }, { scopes: ['read', 'write'] }));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toContain('exec');
  });

  it('Security: shell metacharacters in argv are passed as plain text', async () => {
    const args = ['$(id)', '`id`', '; ls /', '| cat /etc/passwd', '*', '&& echo pwned', '$HOME'];
    const result = await run({ argv: ['printf', '%s\\n', ...args] });
    expect(result.stdout).toBe(`${args.join('\n')}\n`);
  });

  it.each([
    ['a program not on PROCESS_ALLOW', 'rm'],
    ['an absolute path to an allowed name', '/usr/bin/sh'],
    ['a relative path to an allowed name', './sh'],
    ['a parent path', '../bin/sh'],
  ])('Security: refuses %s', async (_label, argv0) => {
    const error = await failure(run({ argv: [argv0, '-c', 'true'] }));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toContain('not an allowed executable');
  });

  it('Security: command_line does not exist without PROCESS_SHELL=true', async () => {
    const error = await failure(run({ command_line: 'echo hi' }));
    expect(error.code).toBe('INVALID_PARAMS');
    expect(h.registry.byMcpName('run_process')!.op.inputSchema.properties).not.toHaveProperty('command_line');
  });

  it('runs in a workspace folder given as cwd, and refuses cwd outside it', async () => {
    mkdirSync(path.join(h.workspaceDir, 'sub/dir'), { recursive: true });
    expect((await run({ argv: ['sh', '-c', 'pwd'], cwd: 'sub/dir' })).stdout).toBe('/workspace/sub/dir\n');
    expect((await failure(run({ argv: ['true'], cwd: '../' }))).code).toBe('FORBIDDEN');
    expect((await failure(run({ argv: ['true'], cwd: 'sub/../../..' }))).code).toBe('FORBIDDEN');
    symlinkSync('/etc', path.join(h.workspaceDir, 'etc-link'));
    expect((await failure(run({ argv: ['true'], cwd: 'etc-link' }))).code).toBe('FORBIDDEN');
    writeFileSync(path.join(h.workspaceDir, 'file.txt'), 'x');
    expect((await failure(run({ argv: ['true'], cwd: 'file.txt' }))).code).toBe('INVALID_PARAMS');
    expect((await failure(run({ argv: ['true'], cwd: 'missing' }))).code).toBe('NOT_FOUND');
  });

  it("Security: the command's environment is PATH, HOME, LANG and allowed additions only", async () => {
    process.env.MCP_TEST_SECRET = 'server-secret-value';
    try {
      const result = await run({ argv: ['env'], env: { GREETING: 'hello' } });
      const names = result.stdout
        .trim()
        .split('\n')
        .map((line: string) => line.split('=')[0])
        .sort();
      expect(names).toEqual(['GREETING', 'HOME', 'LANG', 'PATH', 'PWD']);
      expect(result.stdout).toContain('HOME=/workspace');
      expect(result.stdout).not.toContain('server-secret-value');
      const refused = await failure(run({ argv: ['env'], env: { LD_PRELOAD: '/workspace/x.so' } }));
      expect(refused.code).toBe('FORBIDDEN');
      expect(refused.message).toContain('GREETING');
    } finally {
      delete process.env.MCP_TEST_SECRET;
    }
  });

  it('gives stdin_text to the command', async () => {
    expect((await run({ argv: ['cat'], stdin_text: 'line one\nline two' })).stdout).toBe('line one\nline two');
  });

  it('caps output while reading and reports the full byte count', async () => {
    const result = await run({ argv: ['head', '-c', '200000', '/dev/zero'] });
    expect(result.stdout.length).toBe(1024);
    expect(result).toMatchObject({ stdout_bytes: 200_000, stdout_truncated: true, exit_code: 0 });
  });

  it('kills a command at its timeout and says so', async () => {
    const result = await run({ argv: ['sleep', '600'], timeout_ms: 300 });
    expect(result).toMatchObject({ timed_out: true, killed_by: 'timeout', exit_code: null, signal: 'SIGKILL' });
  });

  it('refuses a second run for a caller at PROCESS_MAX_PER_CALLER, not for another caller', async () => {
    const controller = new AbortController();
    const tag = String(8_100_000 + process.pid);
    const first = run({ argv: ['sleep', tag] }, { ...EXEC, signal: controller.signal } as typeof EXEC).catch((e) => e);
    // Only once its command runs is the first call certainly holding the caller's one slot.
    await expect.poll(() => processesWith(tag).length, { timeout: 30_000, interval: 50 }).toBeGreaterThan(0);
    expect((await failure(run({ argv: ['true'] }))).code).toBe('RATE_LIMITED');
    expect((await h.call('run_process', { argv: ['true'] }, { ...EXEC, callerId: 'someone-else' })) as object).toMatchObject({
      exit_code: 0,
    });
    controller.abort();
    expect((await first).code).toBe('CANCELLED');
    // The slot comes back once the killed command is gone (a moment after the cancelled reply).
    await expect.poll(async () => (await run({ argv: ['true'] }).catch((e) => e)).exit_code ?? 'refused', { timeout: 20_000 }).toBe(0);
  });

  it('makes its writes visible to read_file (cache) and search (index) at once', async () => {
    writeFileSync(path.join(h.workspaceDir, 'note.txt'), 'old text');
    expect(await h.call('read_file', { path: 'note.txt' })).toMatchObject({ content: 'old text' });
    expect((await h.callRaw('read_file', { path: 'note.txt' })).cached).toBe(true);
    expect(((await h.call('search', { query: 'zanzibarquokka' })) as { results: unknown[] }).results).toEqual([]);
    await run({ argv: ['sh', '-c', 'echo zanzibarquokka > note.txt'] });
    expect(await h.call('read_file', { path: 'note.txt' })).toMatchObject({ content: 'zanzibarquokka\n' });
    const found = (await h.call('search', { query: 'zanzibarquokka' })) as { results: { id: string }[] };
    expect(found.results.map((r) => r.id)).toContain('file:note.txt');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProcessConfig } from '../../../src/config/process.js';
import { createProcessTool } from '../../../src/tools/process/index.js';
import { startRun } from '../../../src/tools/process/runner.js';
import { prlimitArgs, SANDBOX_PATH } from '../../../src/tools/process/sandbox.js';
import { spawnServer } from '../../helpers/process.js';
import { connectClient, envelope, startServer, TEST_KEYS, type ClientVersion, type TestServer } from '../../helpers/server.js';
import { describeWithBwrap, PROCESS_ENV, processesWith, zombieChildren } from './helpers.js';

const RUNNER_KEY = 'runner-key-0123456789';
const KEYS = `${TEST_KEYS},runner:${RUNNER_KEY}:read+write+exec`;
const ENV = { ...PROCESS_ENV, MCP_API_KEYS: KEYS, PROCESS_MAX_PER_CALLER: '4' };

let seq = 0;
/** A `sleep` argument no other process on the machine has, to find this run's processes by. */
const marker = () => String(7_000_000 + process.pid * 100 + seq++);
const running = (tag: string) => expect.poll(() => processesWith(tag).length, { timeout: 30_000, interval: 50 }).toBeGreaterThan(0);
const gone = (tag: string) => expect.poll(() => processesWith(tag), { timeout: 30_000, interval: 50 }).toEqual([]);

function post(url: string, body: unknown, signal?: AbortSignal, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    signal,
    headers: { authorization: `Bearer ${RUNNER_KEY}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describeWithBwrap('process tool lifecycle: nothing outlives the call', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ toolFactories: [createProcessTool], env: ENV });
  });
  afterAll(async () => {
    await server?.close();
    expect(zombieChildren()).toEqual([]);
  });

  it.each<ClientVersion>(['2025-11-25', '2026-07-28'])(
    'streams output as progress on %s, and a cancelled call kills the command (notifications/cancelled)',
    async (version) => {
      const client = await connectClient(server.mcpUrl, version, RUNNER_KEY);
      try {
        const streamed = await client.callTool(
          { name: 'run_process', arguments: { argv: ['sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.2; done; echo oops >&2'] } },
          { onprogress: () => undefined },
        );
        expect(streamed.structuredContent).toMatchObject({ exit_code: 0, stdout: 'line 1\nline 2\nline 3\n', stderr: 'oops\n' });

        const seen: { progress: number; message?: string }[] = [];
        const again = await client.callTool(
          { name: 'run_process', arguments: { argv: ['sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.3; done'] } },
          { onprogress: (p) => void seen.push(p) },
        );
        expect(again.isError).toBeFalsy();
        expect(seen.map((p) => p.message).join('')).toBe('line 1\nline 2\nline 3\n');
        expect(seen.map((p) => p.progress)).toEqual([...seen.map((p) => p.progress)].sort((a, b) => a - b));

        const tag = marker();
        const controller = new AbortController();
        const call = client.callTool(
          { name: 'run_process', arguments: { argv: ['sh', '-c', `echo started; sleep ${tag}`], timeout_ms: 120_000 } },
          { signal: controller.signal, onprogress: (p) => p.message?.includes('started') && controller.abort('stop') },
        );
        await expect(call).rejects.toThrow();
        await gone(tag);
      } finally {
        await client.close();
      }
    },
    120_000,
  );

  it('sends no progress without a progressToken', async () => {
    const client = await connectClient(server.mcpUrl, '2025-11-25', RUNNER_KEY);
    try {
      const notifications: string[] = [];
      client.fallbackNotificationHandler = async (n) => void notifications.push(n.method);
      await client.callTool({ name: 'run_process', arguments: { argv: ['echo', 'quiet'] } });
      expect(notifications).not.toContain('notifications/progress');
    } finally {
      await client.close();
    }
  });

  it('kills the command when a 2025-era client sends notifications/cancelled on its own POST', async () => {
    const tag = marker();
    const id = `cancel-${tag}`;
    const call = post(
      server.mcpUrl,
      {
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'run_process', arguments: { argv: ['sleep', tag], timeout_ms: 120_000 } },
      },
      undefined,
      { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
    );
    // Not awaited yet: the stream's headers may come only with its first message.
    const reading = call.then((response) => response.text()).catch(() => '');
    await running(tag);
    const notice = await post(
      server.mcpUrl,
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'test' } },
      undefined,
      { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
    );
    expect(notice.status).toBe(202);
    await gone(tag);
    await reading;
  }, 90_000);

  it('kills the command when the client disconnects (MCP and envelope)', async () => {
    for (const dialect of ['mcp', 'envelope'] as const) {
      const tag = marker();
      const controller = new AbortController();
      const body =
        dialect === 'mcp'
          ? {
              jsonrpc: '2.0',
              id: 1,
              method: 'tools/call',
              params: { name: 'run_process', arguments: { argv: ['sleep', tag], timeout_ms: 120_000 } },
            }
          : envelope('process', 'run', { argv: ['sleep', tag], timeout_ms: 120_000 });
      const call = post(server.mcpUrl, body, controller.signal, { accept: 'application/json, text/event-stream' }).catch(() => undefined);
      await running(tag);
      controller.abort();
      await call;
      await gone(tag);
    }
  }, 90_000);
});

describeWithBwrap('process tool lifecycle: server shutdown and server death', () => {
  it('kills running commands at shutdown (app close) and waits for them', async () => {
    const server = await startServer({ toolFactories: [createProcessTool], env: ENV });
    const tag = marker();
    const call = post(server.mcpUrl, envelope('process', 'run', { argv: ['sh', '-c', `sleep ${tag}`], timeout_ms: 120_000 })).catch(
      () => undefined,
    );
    await running(tag);
    await server.built.close();
    // close() returned only after the command was gone.
    expect(processesWith(tag)).toEqual([]);
    await server.close();
    await call;
  }, 90_000);

  it('Security: a command dies with the server even when the server is killed (SIGKILL)', async () => {
    const child = await spawnServer({ ...ENV, AUTH_MODE: 'api_key' });
    try {
      const tag = marker();
      const call = post(
        child.mcpUrl,
        envelope('process', 'run', { argv: ['sh', '-c', `sleep ${tag} & sleep ${tag}`], timeout_ms: 120_000 }),
      ).catch(() => undefined);
      // Both sleeps started: the sandbox is fully set up (bwrap has armed --die-with-parent).
      await expect.poll(() => processesWith(`sleep ${tag}`, true).length, { timeout: 30_000, interval: 50 }).toBe(2);
      child.child.kill('SIGKILL');
      await child.exited;
      await gone(tag);
      await call;
    } finally {
      child.child.kill('SIGKILL');
    }
  }, 120_000);
});

describe('process tool lifecycle helpers', () => {
  it('reports a program that cannot be started instead of inventing an exit', async () => {
    const run = startRun({
      command: ['/nonexistent/bwrap', '--version'],
      env: { PATH: SANDBOX_PATH },
      cwd: '/',
      sandboxed: false,
      timeoutMs: 10_000,
      maxOutputBytes: 1024,
      signal: new AbortController().signal,
    });
    expect((await run.done).spawnError).toBe('ENOENT');
  });

  it('the in-sandbox backstop kills a command at its wall time even when the server never does', async () => {
    const config = parseProcessConfig({ PROCESS_ENABLED: 'true' });
    const run = startRun({
      command: [...prlimitArgs(config, 1), '/usr/bin/sleep', '600'],
      env: { PATH: SANDBOX_PATH },
      cwd: '/',
      sandboxed: false,
      timeoutMs: 600_000,
      maxOutputBytes: 1024,
      signal: new AbortController().signal,
    });
    const result = await run.done;
    expect(result.killedBy).toBeNull();
    // timeout(1) signals its whole process group, itself included.
    expect(result.signal).toBe('SIGKILL');
  }, 60_000);

  it('finds a process by its marker and reports it gone (so the lifecycle tests can fail)', async () => {
    const { spawn } = await import('node:child_process');
    const tag = marker();
    const sleeper = spawn('sleep', [tag], { stdio: 'ignore' });
    await running(tag);
    sleeper.kill('SIGKILL');
    await new Promise((resolve) => sleeper.once('exit', resolve));
    await gone(tag);
  });
});

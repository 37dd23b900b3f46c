import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_ONLY, type ToolOperation } from '../../src/core/operation.js';
import type { ToolFactory } from '../../src/core/toolModule.js';
import { ADMIN_KEY, READER_KEY, connectClient, startServer, type ClientVersion, type TestServer } from '../helpers/server.js';

/**
 * A test-only tool: `steps` reports a fixed number of progress steps; `until_cancelled` works in
 * steps until its signal aborts, and tells the test when and why it stopped.
 */
function workTool() {
  let stopped: (how: { steps: number; reason: string }) => void = () => {};
  let stoppedPromise = new Promise<{ steps: number; reason: string }>((resolve) => (stopped = resolve));
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
  const noParams = { type: 'object', properties: {}, additionalProperties: false } as const;
  const ops: ToolOperation[] = [
    {
      tool: 'work',
      operation: 'steps',
      mcpName: 'work_steps',
      title: 'Steps',
      description: 'Works through n steps, reporting each.',
      inputSchema: {
        type: 'object',
        required: ['n'],
        properties: { n: { type: 'integer', minimum: 1, maximum: 50 } },
        additionalProperties: false,
      },
      outputSchema: { type: 'object', required: ['done'], properties: { done: { type: 'integer' } } },
      annotations: READ_ONLY,
      scope: 'read',
      handler: async ({ n }: { n: number }, ctx) => {
        for (let i = 1; i <= n; i++) {
          await tick();
          ctx.progress({ progress: i, total: n, message: `step ${i} of ${n}` });
        }
        return { done: n };
      },
    },
    {
      tool: 'work',
      operation: 'steps_slow',
      mcpName: 'work_steps_slow',
      title: 'Steps (20)',
      description: 'Works through 20 steps, reporting each.',
      inputSchema: noParams,
      outputSchema: { type: 'object', required: ['done'], properties: { done: { type: 'integer' } } },
      annotations: READ_ONLY,
      scope: 'read',
      handler: async (_params, ctx) => {
        for (let i = 1; i <= 20 && !ctx.signal.aborted; i++) {
          ctx.progress({ progress: i, total: 20 });
          await tick();
        }
        return { done: ctx.signal.aborted ? -1 : 20 };
      },
    },
    {
      tool: 'work',
      operation: 'until_cancelled',
      mcpName: 'work_until_cancelled',
      title: 'Until cancelled',
      description: 'Works until cancelled.',
      inputSchema: noParams,
      outputSchema: { type: 'object', properties: {} },
      annotations: READ_ONLY,
      scope: 'read',
      timeoutMs: 60_000,
      handler: async (_params, ctx) => {
        let steps = 0;
        // Bounded: 4000 × 5 ms; the test fails long before unless cancellation stops the loop.
        while (!ctx.signal.aborted && steps < 4000) {
          steps++;
          ctx.progress({ progress: steps, message: 'working' });
          await tick();
        }
        const reason = ctx.signal.reason;
        stopped({ steps, reason: ctx.signal.aborted ? String((reason as { code?: string })?.code ?? reason) : 'not aborted' });
        return {};
      },
    },
  ];
  const factory: ToolFactory = () => ({ name: 'work', operations: ops });
  return {
    factory,
    stopped: () => stoppedPromise,
    reset: () => {
      stoppedPromise = new Promise((resolve) => (stopped = resolve));
    },
  };
}

const work = workTool();
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ toolFactories: [work.factory] });
});
afterAll(async () => {
  await server.close();
});

describe.each<ClientVersion>(['2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'])('MCP progress and cancellation on %s', (version) => {
  it('sends a progress notification per step, with total and message, before the result', async () => {
    const client = await connectClient(server.mcpUrl, version);
    try {
      const seen: { progress: number; total?: number; message?: string }[] = [];
      const result = await client.callTool({ name: 'work_steps', arguments: { n: 4 } }, { onprogress: (p) => seen.push(p) });
      expect(result.structuredContent).toEqual({ done: 4 });
      expect(seen).toEqual([1, 2, 3, 4].map((i) => ({ progress: i, total: 4, message: `step ${i} of 4` })));
    } finally {
      await client.close();
    }
  });

  it('sends no progress notifications when the caller did not ask for them', async () => {
    const client = await connectClient(server.mcpUrl, version);
    try {
      const notifications: string[] = [];
      client.fallbackNotificationHandler = async (n) => void notifications.push(n.method);
      const result = await client.callTool({ name: 'work_steps', arguments: { n: 3 } });
      expect(result.structuredContent).toEqual({ done: 3 });
      expect(notifications).not.toContain('notifications/progress');
    } finally {
      await client.close();
    }
  });

  it('stops the handler when the client aborts the call', async () => {
    work.reset();
    const client = await connectClient(server.mcpUrl, version);
    try {
      const controller = new AbortController();
      const call = client.callTool(
        { name: 'work_until_cancelled', arguments: {} },
        { signal: controller.signal, onprogress: (p) => p.progress >= 3 && controller.abort('user pressed stop') },
      );
      await expect(call).rejects.toThrow();
      const { steps, reason } = await work.stopped();
      expect(reason).not.toBe('not aborted');
      expect(reason).not.toBe('TIMEOUT');
      expect(steps).toBeGreaterThanOrEqual(3);
      expect(steps).toBeLessThan(4000);
    } finally {
      await client.close();
    }
  });
});

/** A raw 2025-era tools/call whose SSE stream the test reads event by event. */
async function openCall(key: string, id: number | string, name = 'work_until_cancelled') {
  const controller = new AbortController();
  const response = await fetch(server.mcpUrl, {
    method: 'POST',
    signal: controller.signal,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name, arguments: {}, _meta: { progressToken: `p-${id}` } },
    }),
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  return {
    /** The next chunk of the stream, or undefined once it ended or broke. */
    next: async (): Promise<string | undefined> => {
      try {
        const { value, done } = await reader.read();
        return done ? undefined : decoder.decode(value);
      } catch {
        return undefined;
      }
    },
    hangUp: () => controller.abort(),
  };
}

async function cancelNotice(key: string, requestId: number | string) {
  const response = await fetch(server.mcpUrl, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason: 'test' } }),
  });
  await response.text();
  return response.status;
}

describe('2025-era cancellation on a stateless server', () => {
  it('stops the handler when the client closes the stream', async () => {
    work.reset();
    const call = await openCall(ADMIN_KEY, 11);
    expect(await call.next()).toContain('notifications/progress');
    call.hangUp();
    const { reason } = await work.stopped();
    expect(reason).not.toBe('not aborted');
  });

  // Security: a notifications/cancelled only reaches requests of the caller that sent it.
  it('ignores a cancellation from another caller, then honours the owner’s', async () => {
    work.reset();
    const call = await openCall(ADMIN_KEY, 21);
    expect(await call.next()).toContain('notifications/progress');
    expect(await cancelNotice(READER_KEY, 21)).toBe(202);
    // Cancelling is synchronous with the notice's reply: had it worked, the stream would be gone.
    expect(await call.next()).toContain('notifications/progress');
    expect(await cancelNotice(ADMIN_KEY, '21')).toBe(202); // a string id is a different request
    expect(await call.next()).toContain('notifications/progress');
    expect(await cancelNotice(ADMIN_KEY, 21)).toBe(202);
    const { reason } = await work.stopped();
    expect(reason).not.toBe('not aborted');
    while ((await call.next()) !== undefined);
  });

  it('cancels neither of two in-flight calls that share an id', async () => {
    const first = await openCall(ADMIN_KEY, 31, 'work_steps_slow');
    const second = await openCall(ADMIN_KEY, 31, 'work_steps_slow');
    expect(await first.next()).toContain('notifications/progress');
    expect(await second.next()).toContain('notifications/progress');
    expect(await cancelNotice(ADMIN_KEY, 31)).toBe(202);
    for (const call of [first, second]) {
      let all = '';
      for (let chunk = await call.next(); chunk !== undefined; chunk = await call.next()) all += chunk;
      expect(all).toContain('"structuredContent":{"done":20}');
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_ONLY, type ToolOperation } from '../../src/core/operation.js';
import type { ToolFactory } from '../../src/core/toolModule.js';
import { connectClient, startServer, type ClientVersion, type TestServer } from '../helpers/server.js';

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
      inputSchema: { type: 'object', required: ['n'], properties: { n: { type: 'integer', minimum: 1, maximum: 50 } }, additionalProperties: false },
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

import { ToolError } from '../../src/core/errors.js';
import { READ_ONLY, type ToolOperation } from '../../src/core/operation.js';
import type { ToolFactory } from '../../src/core/toolModule.js';

/** A small tool for exercising the pipeline: echo, a write, a slow call, a crash, a progress loop. */
export const createTestTool: ToolFactory = () => {
  let counter = 0;
  const ops: ToolOperation[] = [
    {
      tool: 'test',
      operation: 'echo',
      mcpName: 'test_echo',
      title: 'Echo',
      description: 'Returns its text.',
      inputSchema: {
        type: 'object',
        required: ['text'],
        properties: { text: { type: 'string', maxLength: 1000 } },
        additionalProperties: false,
      },
      outputSchema: { type: 'object', required: ['text', 'calls'], properties: { text: { type: 'string' }, calls: { type: 'integer' } } },
      annotations: READ_ONLY,
      scope: 'read',
      cache: { ttlMs: 60_000, tags: () => ['test:*'] },
      handler: async ({ text }: { text: string }) => ({ text, calls: ++counter }),
    },
    {
      tool: 'test',
      operation: 'bump',
      mcpName: 'test_bump',
      title: 'Bump',
      description: 'Invalidates echo results.',
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
      outputSchema: { type: 'object', properties: { ok: { type: 'boolean' } } },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      scope: 'write',
      invalidates: () => ['test:*'],
      handler: async () => ({ ok: true }),
    },
    {
      tool: 'test',
      operation: 'slow',
      mcpName: 'test_slow',
      title: 'Slow',
      description: 'Waits until aborted.',
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
      outputSchema: { type: 'object', properties: {} },
      annotations: READ_ONLY,
      scope: 'read',
      timeoutMs: 200,
      handler: (_p, ctx) =>
        new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new ToolError('CANCELLED', 'stopped')))),
    },
    {
      tool: 'test',
      operation: 'crash',
      mcpName: 'test_crash',
      title: 'Crash',
      description: 'Throws an unexpected error.',
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
      outputSchema: { type: 'object', properties: {} },
      annotations: READ_ONLY,
      scope: 'read',
      handler: async () => {
        throw new Error('secret internal detail /etc/passwd');
      },
    },
    {
      tool: 'test',
      operation: 'count',
      mcpName: 'test_count',
      title: 'Count',
      description: 'Counts to n, reporting progress.',
      inputSchema: {
        type: 'object',
        required: ['n'],
        properties: { n: { type: 'integer', minimum: 1, maximum: 100 } },
        additionalProperties: false,
      },
      outputSchema: { type: 'object', required: ['counted'], properties: { counted: { type: 'integer' } } },
      annotations: READ_ONLY,
      scope: 'read',
      handler: async ({ n }: { n: number }, ctx) => {
        for (let i = 1; i <= n; i++) {
          ctx.progress({ progress: i, total: n });
          await new Promise((resolve) => setImmediate(resolve));
        }
        return { counted: n };
      },
    },
  ];
  return { name: 'test', operations: ops };
};

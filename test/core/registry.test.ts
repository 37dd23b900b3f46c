import { describe, expect, it } from 'vitest';
import { READ_ONLY, type ToolOperation } from '../../src/core/operation.js';
import { Registry } from '../../src/core/registry.js';
import { startServer } from '../helpers/server.js';

function op(overrides: Partial<ToolOperation> = {}): ToolOperation {
  return {
    tool: 'demo',
    operation: 'read',
    mcpName: 'demo_read',
    title: 'Read',
    description: 'Reads.',
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    outputSchema: { type: 'object', properties: {} },
    annotations: READ_ONLY,
    scope: 'read',
    handler: async () => ({}),
    ...overrides,
  };
}

describe('Registry declaration checks', () => {
  it('accepts a well-formed declaration and finds it by both names', () => {
    const registry = new Registry([op()]);
    expect(registry.byMcpName('demo_read')?.op.operation).toBe('read');
    expect(registry.byEnvelope('demo', 'read')?.op.mcpName).toBe('demo_read');
    expect(registry.hasTool('demo')).toBe(true);
  });

  it.each([
    ['a dotted MCP name', { mcpName: 'demo.read' }, 'MCP name'],
    ['a 65-character MCP name', { mcpName: 'x'.repeat(65) }, 'MCP name'],
    ['a non-object input schema', { inputSchema: { type: 'string' } }, 'root type'],
    ['a top-level anyOf', { inputSchema: { type: 'object', additionalProperties: false, anyOf: [] } }, 'anyOf'],
    ['open input properties', { inputSchema: { type: 'object', properties: {} } }, 'additionalProperties'],
    [
      'a type array (unportable)',
      { inputSchema: { type: 'object', properties: { v: { type: ['string', 'null'] } }, additionalProperties: false } },
      'inputSchema.properties.v is not portable',
    ],
    ['an untyped output value', { outputSchema: { type: 'object', properties: { v: {} } } }, 'outputSchema.properties.v is not portable'],
    [
      'a missing annotation',
      { annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true } as never },
      'openWorldHint',
    ],
    ['a read-only op needing write', { scope: 'write' as const }, 'read scope'],
  ])('rejects %s', (_label, overrides, message) => {
    expect(() => new Registry([op(overrides as Partial<ToolOperation>)])).toThrow(message);
  });

  it('rejects duplicate MCP names across tools', () => {
    expect(() => new Registry([op(), op({ tool: 'other' })])).toThrow('duplicate MCP tool name');
  });

  it('lists in declaration order and filters by scope', () => {
    const write = op({ operation: 'write', mcpName: 'demo_write', scope: 'write', annotations: { ...READ_ONLY, readOnlyHint: false } });
    const registry = new Registry([write, op()]);
    expect(registry.list().map((e) => e.op.mcpName)).toEqual(['demo_write', 'demo_read']);
    const reader = { id: 'r', name: 'r', scopes: new Set(['read'] as const), via: 'api_key' as const };
    expect(registry.list(reader).map((e) => e.op.mcpName)).toEqual(['demo_read']);
  });
});

describe('Registry validators', () => {
  it('validates with the declared input schema, defaults filled in, errors kept for the reply', () => {
    const registry = new Registry([
      op({
        inputSchema: {
          type: 'object',
          properties: { n: { type: 'integer', default: 3 } },
          additionalProperties: false,
        },
      }),
    ]);
    const entry = registry.byMcpName('demo_read')!;
    const params: Record<string, unknown> = {};
    expect(entry.validateInput(params)).toBe(true);
    expect(params).toEqual({ n: 3 });
    expect(entry.validateInput({ n: 'x' })).toBe(false);
    expect(entry.validateInput.errors?.[0]?.instancePath).toBe('/n');
  });

  // Validators compile when first used, so this is where a schema Ajv cannot compile would show.
  it('compiles the input and output schema of every operation the default server offers', async () => {
    const server = await startServer();
    try {
      const entries = server.built.registry.list();
      expect(entries.length).toBeGreaterThan(20);
      for (const entry of entries) {
        expect(() => entry.validateInput, entry.op.mcpName).not.toThrow();
        expect(() => entry.validateOutput, entry.op.mcpName).not.toThrow();
      }
    } finally {
      await server.close();
    }
  });
});

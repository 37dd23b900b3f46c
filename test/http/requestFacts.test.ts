import { describe, expect, it } from 'vitest';
import { Registry } from '../../src/core/registry.js';
import { callNames, readRequestFacts } from '../../src/http/requestFacts.js';
import { createTestTool } from '../helpers/testTools.js';

const registry = new Registry((await createTestTool({} as never)).operations);
const call = (id: unknown, name: string, extra: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: {}, ...extra },
});
const facts = (body: unknown, protocolVersion?: string) => readRequestFacts('POST', body, { protocolVersion }, { registry });

describe('request facts', () => {
  it('reads a single MCP tools/call once: id, method, the named operation', () => {
    const f = facts(call(7, 'test_echo'), '2025-11-25')!;
    expect(f).toMatchObject({ dialect: 'mcp', jsonRpcId: 7, messageId: null, protocolVersion: '2025-11-25', methods: ['tools/call'] });
    expect(f).toMatchObject({ size: 1, batch: false });
    expect(f.calls).toMatchObject([{ tool: 'test', operation: 'echo' }]);
    expect(f.calls[0]!.entry?.op.mcpName).toBe('test_echo');
    expect(callNames(f)).toEqual(['test.echo']);
  });

  it('names every call of a JSON-RPC batch and has no single id', () => {
    const f = facts([call(1, 'test_echo'), call(2, 'test_bump'), { jsonrpc: '2.0', method: 'notifications/initialized' }])!;
    expect(f).toMatchObject({ batch: true, size: 3, jsonRpcId: null });
    expect(f.methods).toEqual(['tools/call', 'tools/call', 'notifications/initialized']);
    expect(callNames(f)).toEqual(['test.echo', 'test.bump']);
  });

  it('keeps unknown tools out of the rate-limit names but in the calls', () => {
    const f = facts(call(1, 'no_such_tool'))!;
    expect(f.calls).toMatchObject([{ tool: 'no_such_tool', operation: '' }]);
    expect(callNames(f)).toEqual([]);
  });

  it('reads the 2026-07-28 _meta claim and initialize’s version when no header says it', () => {
    expect(facts(call(1, 'test_echo', { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } }))!.protocolVersion).toBe(
      '2026-07-28',
    );
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18' } };
    expect(facts(init)!.protocolVersion).toBe('2025-06-18');
    expect(facts(init, '2025-03-26')!.protocolVersion).toBe('2025-03-26');
  });

  it('reads what a notifications/cancelled cancels (only as a notification)', () => {
    const cancel = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'abc' } };
    expect(facts(cancel)).toMatchObject({ cancels: 'abc', jsonRpcId: null });
    expect(facts({ ...cancel, id: 3 })!.cancels).toBeUndefined();
  });

  it('reads an envelope: message_id, metadata and every batch item', () => {
    const single = { message_id: 'm1', content: { tool_name: 'test', operation: 'echo', parameters: {} }, metadata: { a: 1 } };
    expect(facts(single)).toMatchObject({ dialect: 'envelope', messageId: 'm1', envelopeMetadata: { a: 1 }, batch: false, size: 1 });
    const batch = {
      message_id: 'm2',
      content: { batch: [{ tool_name: 'test', operation: 'echo' }, { tool_name: 'x', operation: 'y' }, 5] },
    };
    const f = facts(batch)!;
    expect(f).toMatchObject({ batch: true, size: 3 });
    expect(callNames(f)).toEqual(['test.echo', 'x.y']);
    expect(f.calls[0]!.entry).toBeDefined();
    expect(f.calls[1]!.entry).toBeUndefined();
  });

  it('has no facts for a body that is neither dialect, and MCP facts for GET', () => {
    expect(facts('hello')).toBeUndefined();
    expect(facts(null)).toBeUndefined();
    expect(readRequestFacts('GET', undefined, { protocolVersion: '2025-03-26' }, { registry })).toMatchObject({ dialect: 'mcp', size: 1 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolError } from '../../../src/core/errors.js';
import { createSessionTool } from '../../../src/tools/session/index.js';
import { createToolHarness, type ToolHarness } from '../../helpers/toolHarness.js';
import { ADMIN_KEY, READER_KEY, connectClient, envelope, postJson, startServer, type TestServer } from '../../helpers/server.js';

async function errorOf(promise: Promise<unknown>): Promise<ToolError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ToolError) return error;
    throw error;
  }
  throw new Error('expected a ToolError');
}

describe('session tool', () => {
  let h: ToolHarness;
  beforeAll(async () => {
    h = await createToolHarness(createSessionTool, { SESSION_MAX_KEYS: '2', SESSION_MAX_VALUE_BYTES: '64' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('declares get_state read-only and every other operation as a write', () => {
    const ops = Object.fromEntries(h.module.operations.map((op) => [op.mcpName, op]));
    expect(Object.keys(ops)).toEqual(['session_get_state', 'session_set_state', 'session_delete_state', 'session_end']);
    expect(ops.session_get_state!.annotations.readOnlyHint).toBe(true);
    expect(ops.session_get_state!.scope).toBe('read');
    for (const name of ['session_set_state', 'session_delete_state', 'session_end']) {
      expect(ops[name]!.annotations.readOnlyHint).toBe(false);
      expect(ops[name]!.scope).toBe('write');
    }
  });

  it('keeps notes between calls and returns them with their times', async () => {
    await h.call('session_set_state', { session_id: 'notes', key: 'plan', value: { steps: ['a', 'b'] } });
    const state = (await h.call('session_get_state', { session_id: 'notes' })) as Record<string, unknown>;
    expect(state).toMatchObject({
      session_id: 'notes',
      exists: true,
      key_count: 1,
      entries: [{ key: 'plan', value: { steps: ['a', 'b'] } }],
    });
    expect(Date.parse(state.expires_at as string)).toBeGreaterThan(Date.now());
    expect(await h.call('session_get_state', { session_id: 'never-written' })).toMatchObject({
      exists: false,
      entries: [],
      created_at: null,
    });
  });

  it('takes the session from the envelope metadata, else the argument, else a per-caller default', async () => {
    await h.call('session_set_state', { key: 'k', value: 'from metadata' }, { sessionId: 'meta' });
    expect(await h.call('session_get_state', { session_id: 'meta' })).toMatchObject({ entries: [{ key: 'k', value: 'from metadata' }] });
    await h.call('session_set_state', { key: 'k', value: 'default' });
    expect(await h.call('session_get_state', {})).toMatchObject({ session_id: 'default', entries: [{ key: 'k', value: 'default' }] });
    const conflict = await errorOf(h.call('session_get_state', { session_id: 'a' }, { sessionId: 'b' }));
    expect(conflict.code).toBe('INVALID_PARAMS');
    const bad = await errorOf(h.call('session_get_state', {}, { sessionId: 'line\nbreak' }));
    expect(bad.code).toBe('INVALID_PARAMS');
  });

  it('keeps each caller in its own sessions: the same id from another key sees nothing and changes nothing', async () => {
    await h.call('session_set_state', { session_id: 'shared-name', key: 'secret', value: 'alice' }, { callerId: 'key:alice' });
    // Security: mallory presents alice's session id.
    expect(await h.call('session_get_state', { session_id: 'shared-name' }, { callerId: 'key:mallory' })).toMatchObject({
      exists: false,
      entries: [],
    });
    expect(await h.call('session_delete_state', { session_id: 'shared-name', key: 'secret' }, { callerId: 'key:mallory' })).toMatchObject({
      deleted: false,
    });
    expect(await h.call('session_end', { session_id: 'shared-name' }, { callerId: 'key:mallory' })).toEqual({
      session_id: 'shared-name',
      ended: false,
    });
    await h.call('session_set_state', { session_id: 'shared-name', key: 'secret', value: 'mallory' }, { callerId: 'key:mallory' });
    expect(await h.call('session_get_state', { session_id: 'shared-name' }, { callerId: 'key:alice' })).toMatchObject({
      entries: [{ key: 'secret', value: 'alice' }],
    });
  });

  it('treats __proto__ and constructor as ordinary keys and values', async () => {
    await h.call('session_set_state', { session_id: 'proto', key: '__proto__', value: { isAdmin: true } });
    await h.call('session_set_state', { session_id: 'proto', key: 'constructor', value: JSON.parse('{"__proto__":{"isAdmin":true}}') });
    const state = (await h.call('session_get_state', { session_id: 'proto' })) as { entries: { key: string; value: unknown }[] };
    expect(state.entries.map((e) => e.key)).toEqual(['__proto__', 'constructor']);
    expect(JSON.stringify(state.entries[0]!.value)).toBe('{"isAdmin":true}');
    expect(JSON.stringify(state.entries[1]!.value)).toBe('{"__proto__":{"isAdmin":true}}');
    expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
  });

  it('bounds values and keys per session with messages that say what to do', async () => {
    const big = await errorOf(h.call('session_set_state', { session_id: 'bounded', key: 'big', value: 'x'.repeat(100) }));
    expect(big.code).toBe('PAYLOAD_TOO_LARGE');
    expect(big.message).toMatch(/at most 64/);
    await h.call('session_set_state', { session_id: 'bounded', key: 'a', value: 1 });
    await h.call('session_set_state', { session_id: 'bounded', key: 'b', value: 1 });
    const full = await errorOf(h.call('session_set_state', { session_id: 'bounded', key: 'c', value: 1 }));
    expect(full.code).toBe('PAYLOAD_TOO_LARGE');
    expect(full.message).toMatch(/delete_state/);
  });

  it('deletes keys and ends sessions', async () => {
    await h.call('session_set_state', { session_id: 'end-me', key: 'a', value: 1 });
    expect(await h.call('session_delete_state', { session_id: 'end-me', key: 'a' })).toMatchObject({ deleted: true, key_count: 0 });
    expect(await h.call('session_delete_state', { session_id: 'end-me', key: 'a' })).toMatchObject({ deleted: false });
    expect(await h.call('session_end', { session_id: 'end-me' })).toEqual({ session_id: 'end-me', ended: true });
    expect(await h.call('session_get_state', { session_id: 'end-me' })).toMatchObject({ exists: false });
  });

  it('lets a read-only credential read its notes but not write them', async () => {
    expect(await h.call('session_get_state', {}, { scopes: ['read'] })).toMatchObject({ session_id: 'default' });
    expect((await errorOf(h.call('session_set_state', { key: 'k', value: 1 }, { scopes: ['read'] }))).code).toBe('FORBIDDEN');
  });

  it('returns results that match the declared output schemas', async () => {
    for (const [name, params] of [
      ['session_set_state', { session_id: 'schema', key: 'k', value: [1, null, 'x'] }],
      ['session_get_state', { session_id: 'schema' }],
      ['session_get_state', { session_id: 'nothing-here' }],
      ['session_delete_state', { session_id: 'schema', key: 'k' }],
      ['session_delete_state', { session_id: 'nothing-here', key: 'k' }],
      ['session_end', { session_id: 'schema' }],
    ] as const) {
      const entry = h.registry.byMcpName(name)!;
      const result = await h.call(name, params);
      expect(entry.validateOutput(result), `${name}: ${JSON.stringify(entry.validateOutput.errors)}`).toBe(true);
    }
  });
});

describe('session tool over HTTP, both dialects', () => {
  let server: TestServer;
  const OTHER_KEY = 'other-writer-key-0123456789';
  beforeAll(async () => {
    server = await startServer({
      toolFactories: [createSessionTool],
      env: { MCP_API_KEYS: `admin:${ADMIN_KEY}:read+write,reader:${READER_KEY}:read,other:${OTHER_KEY}:read+write` },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('names the session in envelope metadata and in MCP arguments; both reach the same notes', async () => {
    const set = await postJson(
      server.mcpUrl,
      envelope('session', 'set_state', { key: '__proto__', value: { polluted: true } }, { session_id: 'chat-42' }),
    );
    expect(set.status).toBe(200);
    expect(set.body.content).toMatchObject({ session_id: 'chat-42', created_session: true });
    expect(set.body.metadata.session_id).toBe('chat-42');

    const client = await connectClient(server.mcpUrl, '2025-06-18');
    const result = await client.callTool({ name: 'session_get_state', arguments: { session_id: 'chat-42' } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ session_id: 'chat-42', entries: [{ key: '__proto__', value: { polluted: true } }] });
    await client.close();
  });

  it('gives MCP callers without a session id one derived from their identity', async () => {
    const client = await connectClient(server.mcpUrl, '2025-11-25');
    const written = await client.callTool({ name: 'session_set_state', arguments: { key: 'note', value: 'remember me' } });
    expect(written.structuredContent).toMatchObject({ session_id: 'default' });
    expect((await client.callTool({ name: 'session_get_state', arguments: {} })).structuredContent).toMatchObject({
      entries: [{ key: 'note', value: 'remember me' }],
    });
    await client.close();

    const other = await connectClient(server.mcpUrl, '2025-11-25', OTHER_KEY);
    expect((await other.callTool({ name: 'session_get_state', arguments: {} })).structuredContent).toMatchObject({
      session_id: 'default',
      exists: false,
      entries: [],
    });
    await other.close();
  });

  it('does not let another key read or end a session by presenting its id in metadata', async () => {
    await postJson(server.mcpUrl, envelope('session', 'set_state', { key: 'secret', value: 's3cret' }, { session_id: 'private' }));
    const headers = { authorization: `Bearer ${OTHER_KEY}` };
    const read = await postJson(server.mcpUrl, envelope('session', 'get_state', {}, { session_id: 'private' }), headers);
    expect(read.body.content).toMatchObject({ exists: false, entries: [] });
    expect(read.text).not.toContain('s3cret');
    const end = await postJson(server.mcpUrl, envelope('session', 'end_session', {}, { session_id: 'private' }), headers);
    expect(end.body.content).toEqual({ session_id: 'private', ended: false });
    const still = await postJson(server.mcpUrl, envelope('session', 'get_state', {}, { session_id: 'private' }));
    expect(still.body.content.entries).toEqual([{ key: 'secret', value: 's3cret' }]);
  });

  it('lists the four operations with their annotations', async () => {
    const client = await connectClient(server.mcpUrl, '2025-06-18', READER_KEY);
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toContain('session_get_state');
    // A read-only key only sees what it may call.
    expect(names).not.toContain('session_set_state');
    expect(tools.find((t) => t.name === 'session_get_state')!.annotations).toMatchObject({ readOnlyHint: true });
    await client.close();
  });
});

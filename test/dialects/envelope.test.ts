import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTool } from '../helpers/testTools.js';
import { ADMIN_KEY, READER_KEY, envelope, postJson, startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    toolFactories: [createTestTool],
    env: { BODY_LIMIT_BYTES: '4096', MAX_JSON_DEPTH: '20', BATCH_MAX_SIZE: '3' },
  });
});
afterAll(async () => {
  await server.close();
});

function expectErrorEnvelope(body: any, code: string) {
  expect(body.message_type).toBe('error');
  expect(body.source).toBe('tool');
  expect(body.destination).toBe('model');
  expect(body.message_id).toMatch(/^err_[0-9a-f-]{36}$/);
  expect(body.content.code).toBe(code);
  expect(typeof body.content.error).toBe('string');
  expect(body.metadata.processing_time_ms).toBeGreaterThanOrEqual(0);
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);
}

describe('envelope dialect', () => {
  it("round-trips the design's sample request", async () => {
    const request = {
      message_id: 'msg_123e4567-e89b-12d3-a456-426614174000',
      timestamp: '2025-04-04T15:07:12.404Z',
      source: 'model',
      destination: 'tool',
      message_type: 'request',
      content: { tool_name: 'discovery', operation: 'list_tools', parameters: {} },
      metadata: { session_id: 'sess_987654321', user_id: 'user_123456789' },
    };
    const { status, body } = await postJson(server.mcpUrl, request);
    expect(status).toBe(200);
    expect(body.message_id).toMatch(/^resp_[0-9a-f-]{36}$/);
    expect(body.in_reply_to).toBe(request.message_id);
    expect(body.source).toBe('tool');
    expect(body.destination).toBe('model');
    expect(body.message_type).toBe('response');
    expect(Date.parse(body.timestamp)).not.toBeNaN();
    expect(body.metadata).toMatchObject({ session_id: 'sess_987654321', user_id: 'user_123456789' });
    expect(body.metadata.processing_time_ms).toBeGreaterThanOrEqual(0);
    expect(body.content.tools.map((t: { name: string }) => t.name)).toEqual(['discovery', 'test']);
  });

  it('returns the operation result as content and marks cache hits', async () => {
    const first = await postJson(server.mcpUrl, envelope('test', 'echo', { text: 'cached?' }));
    expect(first.body.content).toMatchObject({ text: 'cached?' });
    expect(first.body.metadata._cached).toBeUndefined();
    const second = await postJson(server.mcpUrl, envelope('test', 'echo', { text: 'cached?' }));
    expect(second.body.metadata._cached).toBe(true);
  });

  it.each([
    ['a missing message_id', (e: any) => delete e.message_id, 'message_id'],
    ['a bad timestamp', (e: any) => (e.timestamp = 'yesterday'), 'timestamp'],
    ['a response sent as a request', (e: any) => (e.message_type = 'response'), 'message_type'],
    ['a missing content.operation', (e: any) => delete e.content.operation, 'content'],
    ['non-object parameters', (e: any) => (e.content.parameters = 'x'), 'parameters'],
  ])('answers %s with 400 INVALID_REQUEST naming the field', async (_label, mutate, field) => {
    const request = envelope('discovery', 'list_tools');
    mutate(request);
    const { status, body } = await postJson(server.mcpUrl, request);
    expect(status).toBe(400);
    expectErrorEnvelope(body, 'INVALID_REQUEST');
    expect(body.content.error).toContain(field);
  });

  it('answers invalid parameters with 400 INVALID_REQUEST naming the parameter', async () => {
    const { status, body } = await postJson(server.mcpUrl, envelope('test', 'echo', { text: 7 }));
    expect(status).toBe(400);
    expectErrorEnvelope(body, 'INVALID_REQUEST');
    expect(body.content.error).toContain('parameters.text');
    expect(body.in_reply_to).toMatch(/^msg_/);
  });

  it('answers malformed JSON, an empty body and a non-object with 400', async () => {
    for (const raw of ['{"message_id": ', '', '"just a string"', '42']) {
      const { status, body } = await postJson(server.mcpUrl, raw);
      expect(status).toBe(400);
      expectErrorEnvelope(body, 'INVALID_REQUEST');
    }
  });

  it('answers a wrong content type with 415', async () => {
    const { status, body } = await postJson(server.mcpUrl, 'message_id=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(status).toBe(415);
    expectErrorEnvelope(body, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an oversized body with 413 and deep nesting with 400', async () => {
    const big = envelope('test', 'echo', { text: 'x'.repeat(5000) });
    const tooBig = await postJson(server.mcpUrl, big);
    expect(tooBig.status).toBe(413);
    expectErrorEnvelope(tooBig.body, 'PAYLOAD_TOO_LARGE');
    const deep = envelope('test', 'echo', { text: 'x' }) as any;
    deep.metadata = JSON.parse(`${'{"a":'.repeat(30)}1${'}'.repeat(30)}`);
    const nested = await postJson(server.mcpUrl, deep);
    expect(nested.status).toBe(400);
    expect(nested.body.content.error).toContain('nested deeper');
  });

  it('answers unknown tools and operations with 404', async () => {
    const tool = await postJson(server.mcpUrl, envelope('nope', 'read'));
    expect(tool.status).toBe(404);
    expectErrorEnvelope(tool.body, 'UNKNOWN_TOOL');
    const op = await postJson(server.mcpUrl, envelope('test', 'nope'));
    expect(op.status).toBe(404);
    expectErrorEnvelope(op.body, 'UNKNOWN_OPERATION');
  });

  it('answers a missing or wrong key with 401 and WWW-Authenticate', async () => {
    for (const auth of [undefined, 'Bearer wrong-key-123456789', 'Basic YWxhZGRpbjpvcGVuc2VzYW1l']) {
      const response = await fetch(server.mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(envelope('discovery', 'list_tools')),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expectErrorEnvelope(await response.json(), 'UNAUTHORIZED');
    }
  });

  it('refuses a token in the query string even when it is valid', async () => {
    const { status, body } = await postJson(`${server.mcpUrl}?access_token=${ADMIN_KEY}`, envelope('discovery', 'list_tools'), {
      authorization: '',
    });
    expect(status).toBe(401);
    expect(body.content.error).toContain('query string');
  });

  it('answers a write with a read-only key with 403 FORBIDDEN', async () => {
    const { status, body } = await postJson(server.mcpUrl, envelope('test', 'bump'), { authorization: `Bearer ${READER_KEY}` });
    expect(status).toBe(403);
    expectErrorEnvelope(body, 'FORBIDDEN');
  });

  it('answers a call over its time limit with 504 TIMEOUT', async () => {
    const { status, body } = await postJson(server.mcpUrl, envelope('test', 'slow'));
    expect(status).toBe(504);
    expectErrorEnvelope(body, 'TIMEOUT');
  });

  it('answers an unexpected failure with a generic 500 that leaks nothing', async () => {
    const { status, body, headers } = await postJson(server.mcpUrl, envelope('test', 'crash'));
    expect(status).toBe(500);
    expectErrorEnvelope(body, 'INTERNAL_ERROR');
    expect(body.content.error).not.toContain('passwd');
    expect(headers.get('x-request-id')).toBeTruthy();
  });

  it('echoes a well-formed X-Request-Id and replaces a hostile one', async () => {
    const good = await postJson(server.mcpUrl, envelope('discovery', 'list_tools'), { 'x-request-id': 'abc-123' });
    expect(good.headers.get('x-request-id')).toBe('abc-123');
    const bad = await postJson(server.mcpUrl, envelope('discovery', 'list_tools'), { 'x-request-id': 'a b\tc' });
    expect(bad.headers.get('x-request-id')).not.toContain(' ');
  });

  describe('batches', () => {
    it('runs each operation, in order, one failure not failing the others', async () => {
      const request: any = envelope('x', 'y');
      request.content = {
        batch: [
          { id: 'a', tool_name: 'test', operation: 'echo', parameters: { text: 'one' } },
          { id: 'b', tool_name: 'test', operation: 'nope' },
          { id: 'c', tool_name: 'test', operation: 'echo', parameters: { text: 'three' } },
        ],
      };
      const { status, body } = await postJson(server.mcpUrl, request);
      expect(status).toBe(200);
      expect(body.content.batch_size).toBe(3);
      expect(body.content.results.map((r: any) => [r.id, r.status])).toEqual([
        ['a', 'success'],
        ['b', 'error'],
        ['c', 'success'],
      ]);
      expect(body.content.results[1].error.code).toBe('UNKNOWN_OPERATION');
      expect(body.content.results[2].result.text).toBe('three');
    });

    it('refuses a batch over the maximum size with 413', async () => {
      const request: any = envelope('x', 'y');
      request.content = { batch: Array.from({ length: 4 }, () => ({ tool_name: 'test', operation: 'echo', parameters: { text: 'x' } })) };
      const { status, body } = await postJson(server.mcpUrl, request);
      expect(status).toBe(413);
      expect(body.content.error).toContain('at most 3');
    });
  });
});

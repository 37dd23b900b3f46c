import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, connectClient, envelope, postJson, rawPost, startServer, type TestServer } from '../helpers/server.js';

const MCP_HEADERS = { 'mcp-protocol-version': '2025-06-18', accept: 'application/json' };
const rpcCall = (id: number, name: string, args: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

let server: TestServer;
let readOnly: TestServer;
beforeAll(async () => {
  server = await startServer();
  readOnly = await startServer({ env: { FS_READ_ONLY: 'true', DB_READ_ONLY: 'true' } });
});
afterAll(async () => {
  await server?.close();
  await readOnly?.close();
});

describe('errors say what is allowed, in the caller’s dialect, with its ids and metadata', () => {
  it.each(['response', 'error', 'REQUEST', ''])('message_type %j names the value that is allowed', async (messageType) => {
    const request = { ...envelope('discovery', 'list_tools'), message_type: messageType };
    const { status, body } = await postJson(server.mcpUrl, request);
    expect(status).toBe(400);
    expect(body.content.code).toBe('INVALID_REQUEST');
    expect(body.content.error).toContain('message.message_type must be "request"');
    expect(body.content.error).not.toMatch(/equal to constant/);
  });

  it('a refused Host answers an envelope request as an envelope, echoing message_id and metadata', async () => {
    const request = envelope('discovery', 'list_tools', {}, { session_id: 'host-1' });
    const answer = await rawPost(server.mcpUrl, JSON.stringify(request), {
      host: 'evil.example',
      'content-type': 'application/json',
      authorization: `Bearer ${ADMIN_KEY}`,
    });
    expect(answer.status).toBe(403);
    const body = JSON.parse(answer.body);
    expect(body).toMatchObject({ message_type: 'error', in_reply_to: request.message_id, content: { code: 'FORBIDDEN' } });
    expect(body.metadata.session_id).toBe('host-1');
    expect(body.jsonrpc).toBeUndefined();
  });

  it('a refused Host answers an MCP request as JSON-RPC with its id', async () => {
    const answer = await rawPost(server.mcpUrl, JSON.stringify({ jsonrpc: '2.0', id: 41, method: 'tools/list' }), {
      host: 'evil.example',
      'content-type': 'application/json',
      authorization: `Bearer ${ADMIN_KEY}`,
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ jsonrpc: '2.0', id: 41, error: { code: -32003 } });
  });

  it('a refused Origin echoes the envelope metadata too', async () => {
    const request = envelope('discovery', 'list_tools', {}, { session_id: 'origin-1' });
    const { status, body } = await postJson(server.mcpUrl, request, { origin: 'https://evil.example' });
    expect(status).toBe(403);
    expect(body.in_reply_to).toBe(request.message_id);
    expect(body.metadata.session_id).toBe('origin-1');
  });

  it.each([
    ['no credential', ''],
    ['a wrong key', 'Bearer wrong-key-0123456789'],
    ['a malformed header', 'Token abc'],
  ])('the 401 envelope for %s echoes message_id and metadata like every other error', async (_label, authorization) => {
    const request = envelope('discovery', 'list_tools', {}, { session_id: 'auth-1', trace: 'x' });
    const { status, body } = await postJson(server.mcpUrl, request, { authorization });
    expect(status).toBe(401);
    expect(body.in_reply_to).toBe(request.message_id);
    expect(body.metadata).toMatchObject({ session_id: 'auth-1', trace: 'x' });
    expect(typeof body.metadata.processing_time_ms).toBe('number');
  });

  it('get_tool_documentation names an unknown tool UNKNOWN_TOOL, as a call naming it does', async () => {
    const doc = await postJson(server.mcpUrl, envelope('discovery', 'get_tool_documentation', { tool_name: 'nope' }));
    const call = await postJson(server.mcpUrl, envelope('nope', 'anything'));
    expect(doc.body.content.code).toBe('UNKNOWN_TOOL');
    expect(call.body.content.code).toBe('UNKNOWN_TOOL');
    expect(doc.status).toBe(call.status);
    const mcp = await postJson(server.mcpUrl, rpcCall(1, 'get_tool_documentation', { tool_name: 'nope' }), MCP_HEADERS);
    expect(mcp.body.result.isError).toBe(true);
    expect(mcp.body.result.content[0].text).toMatch(/^UNKNOWN_TOOL: /);
  });

  it('bad parameters are INVALID_REQUEST in both dialects (the code the docs list)', async () => {
    const env = await postJson(server.mcpUrl, envelope('file_system', 'read_file', { path: 'a\u0000b' }));
    expect(env.body.content.code).toBe('INVALID_REQUEST');
    const mcp = await postJson(server.mcpUrl, rpcCall(2, 'read_file', { path: 'a\u0000b' }), MCP_HEADERS);
    expect(mcp.body.result.content[0].text).toMatch(/^INVALID_REQUEST: /);
  });
});

describe('a write to a read-only server says the server is read-only', () => {
  it.each([
    ['file_system', 'write_file', { path: 'x.txt', content: 'x' }, /workspace is read-only \(FS_READ_ONLY=true\)/],
    ['file_system', 'delete_file', { path: 'x.txt' }, /FS_READ_ONLY=true/],
    ['database', 'insert', { table: 't', records: [{ a: 1 }] }, /database is read-only \(DB_READ_ONLY=true\)/],
  ])('envelope %s.%s', async (tool, operation, parameters, reason) => {
    const { status, body } = await postJson(readOnly.mcpUrl, envelope(tool, operation, parameters));
    expect(status).toBe(403);
    expect(body.content.code).toBe('FORBIDDEN');
    expect(body.content.error).toMatch(reason);
  });

  it('an envelope batch item says so too, and the read items still run', async () => {
    const request = {
      ...envelope('file_system', 'list_directory', { path: '.' }),
      content: {
        batch: [
          { tool_name: 'file_system', operation: 'list_directory', parameters: { path: '.' } },
          { tool_name: 'file_system', operation: 'write_file', parameters: { path: 'y.txt', content: 'y' } },
        ],
      },
    };
    const { body } = await postJson(readOnly.mcpUrl, request);
    expect(body.content.results[0].status).toBe('success');
    expect(body.content.results[1].error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/read-only/) });
  });

  it('MCP tools/call of a switched-off write names the reason', async () => {
    const { body } = await postJson(readOnly.mcpUrl, rpcCall(3, 'write_file', { path: 'x.txt', content: 'x' }), MCP_HEADERS);
    expect(body.error.message).toMatch(/write_file is switched off: this server's workspace is read-only/);
    const client = await connectClient(readOnly.mcpUrl);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('write_file');
    } finally {
      await client.close();
    }
  });

  it('an operation that never existed is still UNKNOWN_OPERATION', async () => {
    const { body } = await postJson(readOnly.mcpUrl, envelope('file_system', 'format_disk'));
    expect(body.content.code).toBe('UNKNOWN_OPERATION');
  });
});

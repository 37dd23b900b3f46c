import { InsufficientScopeError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileSystemTool } from '../../src/tools/fileSystem/index.js';
import { connectClient, envelope, type TestServer } from '../helpers/server.js';
import { createTestTool } from '../helpers/testTools.js';
import { startOAuthServer } from './oauthServer.js';
import { startAuthorizationServer, type TestAuthorizationServer } from './oidcProvider.js';
import { challengeParams, rpc, send, toolsCall } from './wire.js';

let as: TestAuthorizationServer;
let server: TestServer;
let strict: TestServer;

beforeAll(async () => {
  as = await startAuthorizationServer();
  // The file system tool too, for its MCP resources (they need the read scope).
  const tools = [createTestTool, createFileSystemTool];
  server = await startOAuthServer({ AUTH_MODE: 'oauth', OAUTH_ISSUER: as.issuer }, tools);
  strict = await startOAuthServer({ AUTH_MODE: 'oauth', OAUTH_ISSUER: as.issuer, OAUTH_MCP_INSUFFICIENT_SCOPE: 'http_403' }, tools);
});
afterAll(async () => {
  await server?.close();
  await strict?.close();
  await as?.close();
});

const V = { 'mcp-protocol-version': '2025-06-18' };

function expectStepUp(header: string | null, metadataUrl: string) {
  expect(header).toMatch(/^Bearer error="insufficient_scope"/);
  const params = challengeParams(header);
  expect(params.error).toBe('insufficient_scope');
  expect(params.scope).toBe('mcp:read mcp:write');
  expect(params.resource_metadata).toBe(metadataUrl);
}

describe('scopes of an OAuth token (default: OAUTH_MCP_INSUFFICIENT_SCOPE=tool_result)', () => {
  it('a read-only token lists and calls read operations but not write ones', async () => {
    const token = await as.token({ resource: server.mcpUrl, scope: 'mcp:read' });
    const list = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, token, V);
    const names = list.body.result.tools.map((t: { name: string }) => t.name);
    expect(names).toContain('list_tools');
    expect(names).toContain('test_echo');
    expect(names).not.toContain('test_bump');
    const read = await rpc(server.mcpUrl, toolsCall(2, 'test_echo', { text: 'hi' }), token, V);
    expect(read.body.result.structuredContent.text).toBe('hi');
  });

  it('MCP: a write call answers an isError result carrying the step-up challenge in _meta (ChatGPT convention)', async () => {
    const token = await as.token({ resource: server.mcpUrl, scope: 'mcp:read' });
    const answer = await rpc(server.mcpUrl, toolsCall(3, 'test_bump'), token, V);
    expect(answer.status).toBe(200);
    expect(answer.body.result.isError).toBe(true);
    expect(answer.body.result.content[0].text).toMatch(/^FORBIDDEN: test_bump needs the "write" permission/);
    const challenges = answer.body.result._meta['mcp/www_authenticate'];
    expect(challenges).toHaveLength(1);
    expectStepUp(challenges[0], `${server.url}/.well-known/oauth-protected-resource/mcp`);
  });

  it('envelope: a write call answers 403 with WWW-Authenticate insufficient_scope', async () => {
    const token = await as.token({ resource: server.mcpUrl, scope: 'mcp:read' });
    const answer = await send(server.mcpUrl, { body: envelope('test', 'bump'), headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(403);
    expect(answer.body.content.code).toBe('FORBIDDEN');
    expectStepUp(answer.headers.get('www-authenticate'), `${server.url}/.well-known/oauth-protected-resource/mcp`);
    const read = await send(server.mcpUrl, {
      body: envelope('test', 'echo', { text: 'ok' }),
      headers: { authorization: `Bearer ${token}` },
    });
    expect(read.status).toBe(200);
  });

  it('a read+write token calls write operations in both dialects', async () => {
    const token = await as.token({ resource: server.mcpUrl, scope: 'mcp:read mcp:write' });
    const mcp = await rpc(server.mcpUrl, toolsCall(4, 'test_bump'), token, V);
    expect(mcp.body.result.structuredContent).toEqual({ ok: true });
    const env = await send(server.mcpUrl, { body: envelope('test', 'bump'), headers: { authorization: `Bearer ${token}` } });
    expect(env.status).toBe(200);
  });

  it('a write-only token does not gain read (scopes never imply each other)', async () => {
    const token = await as.token({ resource: server.mcpUrl, scope: 'mcp:write' });
    const answer = await rpc(server.mcpUrl, toolsCall(5, 'test_echo', { text: 'x' }), token, V);
    expect(answer.body.result.isError).toBe(true);
    expect(challengeParams(answer.body.result._meta['mcp/www_authenticate'][0]).scope).toBe('mcp:read mcp:write');
  });

  it('MCP resources: a write-only token gets -32003 carrying the step-up challenge; a read token reads', async () => {
    const writeOnly = await as.token({ resource: server.mcpUrl, scope: 'mcp:write' });
    for (const [id, method, params] of [
      [10, 'resources/list', {}],
      [11, 'resources/read', { uri: 'file:///welcome.md' }],
    ] as const) {
      const answer = await rpc(server.mcpUrl, { jsonrpc: '2.0', id, method, params }, writeOnly, V);
      expect(answer.status).toBe(200);
      expect(answer.body.error.code).toBe(-32003);
      expectStepUp(answer.body.error.data['mcp/www_authenticate'][0], `${server.url}/.well-known/oauth-protected-resource/mcp`);
    }
    const reader = await as.token({ resource: server.mcpUrl, scope: 'mcp:read' });
    const list = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 12, method: 'resources/list', params: {} }, reader, V);
    expect(list.body.result.resources).toEqual(expect.any(Array));
  });

  it('a valid token with none of our scopes gets 403 insufficient_scope on every request, not 401', async () => {
    const token = await as.token({ resource: server.mcpUrl });
    const answer = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 6, method: 'tools/list' }, token, V);
    expect(answer.status).toBe(403);
    expectStepUp(answer.headers.get('www-authenticate'), `${server.url}/.well-known/oauth-protected-resource/mcp`);
  });
});

describe('OAUTH_MCP_INSUFFICIENT_SCOPE=http_403', () => {
  it('answers an MCP write call from a read-only token with HTTP 403 and the step-up challenge', async () => {
    const token = await as.token({ resource: strict.mcpUrl, scope: 'mcp:read' });
    const answer = await rpc(strict.mcpUrl, toolsCall(7, 'test_bump'), token, V);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32003 } });
    expectStepUp(answer.headers.get('www-authenticate'), `${strict.url}/.well-known/oauth-protected-resource/mcp`);
    const read = await rpc(strict.mcpUrl, toolsCall(8, 'test_echo', { text: 'fine' }), token, V);
    expect(read.body.result.structuredContent.text).toBe('fine');
  });

  it('answers MCP resource methods from a write-only token with HTTP 403 and the step-up challenge', async () => {
    const writeOnly = await as.token({ resource: strict.mcpUrl, scope: 'mcp:write' });
    for (const [id, method] of [
      [13, 'resources/list'],
      [14, 'resources/templates/list'],
      [15, 'resources/read'],
    ] as const) {
      const answer = await rpc(strict.mcpUrl, { jsonrpc: '2.0', id, method, params: { uri: 'file:///welcome.md' } }, writeOnly, V);
      expect(answer.status, method).toBe(403);
      expect(answer.body).toMatchObject({ jsonrpc: '2.0', id, error: { code: -32003 } });
      expectStepUp(answer.headers.get('www-authenticate'), `${strict.url}/.well-known/oauth-protected-resource/mcp`);
    }
    const reader = await as.token({ resource: strict.mcpUrl, scope: 'mcp:read' });
    const list = await rpc(strict.mcpUrl, { jsonrpc: '2.0', id: 16, method: 'resources/list', params: {} }, reader, V);
    expect(list.status).toBe(200);
    expect(list.body.result.resources).toEqual(expect.any(Array));
  });

  it('makes the official client raise InsufficientScopeError with the scope to request', async () => {
    const token = await as.token({ resource: strict.mcpUrl, scope: 'mcp:read' });
    const client = await connectClient(strict.mcpUrl, '2025-11-25', token);
    try {
      const error = await client.callTool({ name: 'test_bump', arguments: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InsufficientScopeError);
      expect((error as InsufficientScopeError).requiredScope).toBe('mcp:read mcp:write');
    } finally {
      await client.close();
    }
  });
});

describe('API keys are not OAuth callers', () => {
  it('a read-only API key in AUTH_MODE=both still gets "unknown tool" for a write operation (it cannot step up)', async () => {
    const both = await startOAuthServer({ AUTH_MODE: 'both', OAUTH_ISSUER: as.issuer });
    try {
      const answer = await rpc(both.mcpUrl, toolsCall(9, 'test_bump'), 'reader-key-0123456789', V);
      expect(answer.body.error.message).toMatch(/Unknown tool/);
      const env = await send(both.mcpUrl, { body: envelope('test', 'bump'), headers: { authorization: 'Bearer reader-key-0123456789' } });
      expect(env.status).toBe(403);
      expect(env.headers.get('www-authenticate')).toBeNull();
    } finally {
      await both.close();
    }
  });
});

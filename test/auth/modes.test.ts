import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, READER_KEY, envelope, type TestServer } from '../helpers/server.js';
import { startOAuthServer } from './oauthServer.js';
import { startAuthorizationServer, type TestAuthorizationServer } from './oidcProvider.js';
import { challengeParams, rpc, send, toolsCall } from './wire.js';

let as: TestAuthorizationServer;
let server: TestServer;
beforeAll(async () => {
  as = await startAuthorizationServer();
  server = await startOAuthServer({ AUTH_MODE: 'both', OAUTH_ISSUER: as.issuer });
});
afterAll(async () => {
  await server?.close();
  await as?.close();
});

const V = { 'mcp-protocol-version': '2025-06-18' };

describe('AUTH_MODE=both', () => {
  it('accepts an API key and a JWT on the same endpoint, each with its own scopes', async () => {
    const jwt = await as.token({ resource: server.mcpUrl, scope: 'mcp:read mcp:write' });
    for (const token of [ADMIN_KEY, jwt]) {
      const answer = await rpc(server.mcpUrl, toolsCall(1, 'test_bump'), token, V);
      expect(answer.status).toBe(200);
      expect(answer.body.result.structuredContent).toEqual({ ok: true });
    }
    const reader = await send(server.mcpUrl, {
      body: envelope('test', 'echo', { text: 'r' }),
      headers: { authorization: `Bearer ${READER_KEY}` },
    });
    expect(reader.status).toBe(200);
  });

  it('refuses an unknown key or a bad JWT with the OAuth challenge (so OAuth clients can discover)', async () => {
    for (const token of ['wrong-key-0123456789', 'a.b.c']) {
      const answer = await rpc(server.mcpUrl, toolsCall(2, 'list_tools'), token, V);
      expect(answer.status).toBe(401);
      const params = challengeParams(answer.headers.get('www-authenticate'));
      expect(params.resource_metadata).toBe(`${server.url}/.well-known/oauth-protected-resource/mcp`);
      expect(params.error).toBe('invalid_token');
    }
  });

  it('serves the protected resource metadata', async () => {
    const answer = await send(`${server.url}/.well-known/oauth-protected-resource/mcp`, { method: 'GET' });
    expect(answer.body.resource).toBe(server.mcpUrl);
  });

  it('keeps serving API keys when the authorization server is down; JWTs then get 503, not 401', async () => {
    const down = await startOAuthServer({ AUTH_MODE: 'both', OAUTH_ISSUER: 'http://127.0.0.1:9' });
    try {
      const key = await rpc(down.mcpUrl, toolsCall(3, 'list_tools'), ADMIN_KEY, V);
      expect(key.status).toBe(200);
      const jwt = await as.token({ resource: down.mcpUrl, scope: 'mcp:read' });
      const answer = await rpc(down.mcpUrl, toolsCall(4, 'list_tools'), jwt, V);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(answer.text).not.toContain('127.0.0.1:9');
    } finally {
      await down.close();
    }
  });
});

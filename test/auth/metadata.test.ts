import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, envelope, type TestServer } from '../helpers/server.js';
import { startOAuthServer } from './oauthServer.js';
import { startAuthorizationServer, type TestAuthorizationServer } from './oidcProvider.js';
import { initialize, rpc, send } from './wire.js';

let as: TestAuthorizationServer;
beforeAll(async () => {
  as = await startAuthorizationServer();
});
afterAll(async () => {
  await as?.close();
});

const PROBES = [
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-authorization-server',
  '/.well-known/oauth-authorization-server/mcp',
  '/.well-known/openid-configuration',
];

describe('RFC 9728 Protected Resource Metadata (AUTH_MODE=oauth)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startOAuthServer({ AUTH_MODE: 'oauth', OAUTH_ISSUER: as.issuer });
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource'])(
    'serves %s with resource = the exact MCP URL',
    async (path) => {
      const answer = await send(`${server.url}${path}`, { method: 'GET' });
      expect(answer.status).toBe(200);
      expect(answer.contentType).toContain('application/json');
      expect(answer.body).toEqual({
        resource: server.mcpUrl,
        authorization_servers: [as.issuer],
        scopes_supported: ['mcp:read', 'mcp:write'],
        bearer_methods_supported: ['header'],
        resource_name: 'MCP Tool Server',
      });
      expect(answer.body.resource.endsWith('/')).toBe(false);
    },
  );

  it('is readable from a browser origin (MCP Inspector), including the preflight for MCP-Protocol-Version', async () => {
    const preflight = await send(`${server.url}/.well-known/oauth-protected-resource/mcp`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://inspector.example.com',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'mcp-protocol-version',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('mcp-protocol-version');
    const get = await send(`${server.url}/.well-known/oauth-protected-resource/mcp`, {
      method: 'GET',
      headers: { origin: 'https://inspector.example.com', 'mcp-protocol-version': '2025-11-25' },
    });
    expect(get.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('copies the authorization server metadata for 2025-03-26-era clients that look on the MCP origin', async () => {
    const answer = await send(`${server.url}/.well-known/oauth-authorization-server`, { method: 'GET' });
    expect(answer.status).toBe(200);
    expect(answer.body.issuer).toBe(as.issuer);
    expect(answer.body.token_endpoint).toBe(`${as.issuer}/token`);
  });

  it('answers other discovery paths with a JSON 404, not the MCP handler', async () => {
    for (const path of [
      '/.well-known/oauth-protected-resource/other',
      '/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server/mcp',
    ]) {
      const answer = await send(`${server.url}${path}`, { method: 'GET' });
      expect(answer.status, path).toBe(404);
      expect(answer.body.error, path).toBe('not_found');
    }
  });

  it('never routes discovery paths into /mcp, whatever the method', async () => {
    const post = await send(`${server.url}/.well-known/oauth-protected-resource/mcp`, {
      body: initialize('2025-06-18'),
      headers: { accept: 'application/json, text/event-stream' },
    });
    // A metadata path serves GET only: a POST is a 405, never an MCP request and its 401.
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(post.headers.get('www-authenticate')).toBeNull();
  });
});

describe.each([
  ['none', { AUTH_MODE: 'none' }],
  ['api_key', { AUTH_MODE: 'api_key' }],
])('OAuth probes in AUTH_MODE=%s', (mode, env) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startOAuthServer(env);
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(PROBES)('answers %s with a clean JSON 404', async (path) => {
    const answer = await send(`${server.url}${path}`, { method: 'GET', headers: { accept: 'application/json' } });
    expect(answer.status).toBe(404);
    expect(answer.contentType).toContain('application/json');
    expect(answer.body.error).toBe('not_found');
    expect(answer.body.error_description).toContain(`AUTH_MODE=${mode}`);
    expect(answer.headers.get('www-authenticate')).toBeNull();
  });

  if (mode === 'none') {
    it('serves /mcp without any credentials (no 401)', async () => {
      const init = await rpc(server.mcpUrl, initialize('2025-06-18'), undefined);
      expect(init.status).toBe(200);
      expect(init.body.result.serverInfo.name).toBe('mcp-tool-server');
      const list = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, undefined, {
        'mcp-protocol-version': '2025-06-18',
      });
      expect(list.body.result.tools.map((t: { name: string }) => t.name)).toContain('test_bump');
      const env = await send(server.mcpUrl, { body: envelope('test', 'bump') });
      expect(env.status).toBe(200);
    });
  } else {
    it('challenges with a plain Bearer realm (nothing to discover)', async () => {
      const answer = await rpc(server.mcpUrl, initialize('2025-06-18'), undefined);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="mcp"');
      expect((await rpc(server.mcpUrl, initialize('2025-06-18'), ADMIN_KEY)).status).toBe(200);
    });
  }
});

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { startOAuthServer } from '../auth/oauthServer.js';
import { startAuthorizationServer, type TestAuthorizationServer } from '../auth/oidcProvider.js';
import { send } from '../auth/wire.js';

/** MCP Inspector's web UI (`npx @modelcontextprotocol/inspector`) runs at this origin in the browser. */
const INSPECTOR_ORIGIN = 'http://localhost:6274';

let as: TestAuthorizationServer;
let server: TestServer;
beforeAll(async () => {
  as = await startAuthorizationServer();
  server = await startOAuthServer({ AUTH_MODE: 'oauth', OAUTH_ISSUER: as.issuer });
});
afterAll(async () => {
  await server?.close();
  await as?.close();
});

describe('MCP Inspector in the browser (direct connection, streamable HTTP)', () => {
  it('passes the CORS preflight for /mcp with Authorization and the MCP headers, and can read WWW-Authenticate', async () => {
    const preflight = await send(server.mcpUrl, {
      method: 'OPTIONS',
      headers: {
        origin: INSPECTOR_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,mcp-protocol-version,mcp-method,mcp-name',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(INSPECTOR_ORIGIN);
    const unauth = await send(server.mcpUrl, {
      body: {
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'inspector-client', version: '0.17.0' } },
      },
      headers: { origin: INSPECTOR_ORIGIN, accept: 'application/json, text/event-stream' },
    });
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('www-authenticate');
  });

  it('can fetch the protected resource metadata from the page', async () => {
    const prm = await send(`${server.url}/.well-known/oauth-protected-resource/mcp`, {
      method: 'GET',
      headers: { origin: INSPECTOR_ORIGIN, 'mcp-protocol-version': '2025-11-25' },
    });
    expect(prm.status).toBe(200);
    expect(prm.headers.get('access-control-allow-origin')).toBe('*');
    expect(prm.body.resource).toBe(server.mcpUrl);
  });

  it.each([
    ['legacy', 'legacy' as const, '2025-11-25'],
    ['auto', 'auto' as const, '2026-07-28'],
    ['modern', { pin: '2026-07-28' }, '2026-07-28'],
  ])('connects in the %s era with an OAuth token and calls list_tools', async (_era, mode, negotiated) => {
    const token = await as.token({ resource: server.mcpUrl, scope: 'mcp:read mcp:write' });
    const client = new Client({ name: 'inspector-client', version: '0.17.0' }, { versionNegotiation: { mode } });
    const transport = new StreamableHTTPClientTransport(new URL(server.mcpUrl), {
      requestInit: { headers: { authorization: `Bearer ${token}`, origin: INSPECTOR_ORIGIN } },
    });
    await client.connect(transport);
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe(negotiated);
      const result = await client.callTool({ name: 'list_tools', arguments: {} });
      expect(result.isError).toBeFalsy();
      expect((result.structuredContent as { tools: { name: string }[] }).tools.map((t) => t.name)).toContain('discovery');
    } finally {
      await client.close();
    }
  });
});

import { Client, ClientCredentialsProvider, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, type ClientVersion, type TestServer } from '../helpers/server.js';
import { startOAuthServer } from './oauthServer.js';
import { CLIENT_ID, CLIENT_SECRET, startAuthorizationServer, type TestAuthorizationServer } from './oidcProvider.js';

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

describe.each<ClientVersion>(['2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'])(
  'the official MCP client on %s with an OAuth access token',
  (version) => {
    it('connects, lists tools and calls discovery', async () => {
      const token = await as.token({ resource: server.mcpUrl, scope: 'mcp:read mcp:write' });
      const client = await connectClient(server.mcpUrl, version, token);
      try {
        const names = (await client.listTools()).tools.map((t) => t.name);
        expect(names).toContain('test_bump');
        const result = await client.callTool({ name: 'get_tool_documentation', arguments: { tool_name: 'discovery' } });
        expect(result.isError).toBeFalsy();
        expect((result.structuredContent as { name: string }).name).toBe('discovery');
      } finally {
        await client.close();
      }
    });
  },
);

describe('the official client discovering OAuth by itself', () => {
  it('follows 401 → protected resource metadata → authorization server → token for this resource', async () => {
    const seen: string[] = [];
    const provider = new ClientCredentialsProvider({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, expectedIssuer: as.issuer });
    const transport = new StreamableHTTPClientTransport(new URL(server.mcpUrl), {
      authProvider: provider,
      fetch: async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        seen.push(`${init?.method ?? 'GET'} ${url.origin === server.url ? '' : 'AS '}${url.pathname}`);
        return fetch(input, init);
      },
    });
    const client = new Client({ name: 'oauth-discovery-client', version: '1.0.0' });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'list_tools', arguments: {} });
      expect(result.isError).toBeFalsy();
      const token = provider.tokens()!.access_token;
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
      expect(claims.aud).toBe(server.mcpUrl);
      expect(claims.scope).toBe('mcp:read mcp:write');
    } finally {
      await client.close();
    }
    expect(seen[0]).toBe('POST /mcp');
    expect(seen).toContain('GET /.well-known/oauth-protected-resource/mcp');
    expect(seen).toContain('POST AS /token');
  });
});

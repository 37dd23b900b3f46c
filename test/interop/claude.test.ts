import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, connectClient, type TestServer } from '../helpers/server.js';
import { startOAuthServer } from '../auth/oauthServer.js';
import { startAuthorizationServer, type TestAuthorizationServer } from '../auth/oidcProvider.js';
import { challengeParams, initialize, rpc, send, toolsCall } from '../auth/wire.js';

const MODERN = '2026-07-28';
const META = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'claude-ai', version: '0.1.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

let as: TestAuthorizationServer;
let server: TestServer;
let post: (token: string | undefined, id: number | string, method: string, params?: Record<string, unknown>) => ReturnType<typeof rpc>;
beforeAll(async () => {
  as = await startAuthorizationServer();
  server = await startOAuthServer({ AUTH_MODE: 'oauth', OAUTH_ISSUER: as.issuer });
  // A 2026-07-28 request: Mcp-Method (and Mcp-Name for calls) headers plus the _meta envelope.
  post = (token, id, method, params = {}) => {
    const headers: Record<string, string> = { 'mcp-method': method, 'mcp-protocol-version': MODERN };
    if (method === 'tools/call') headers['mcp-name'] = String(params.name);
    return rpc(server.mcpUrl, { jsonrpc: '2.0', id, method, params: { ...params, _meta: META } }, token, headers);
  };
});
afterAll(async () => {
  await server?.close();
  await as?.close();
});

describe('Claude connector', () => {
  it('discovers OAuth from the server/discover probe, then talks 2026-07-28', async () => {
    const probe = await post(undefined, 'server-discover-probe-1', 'server/discover');
    expect(probe.status).toBe(401);
    const metadataUrl = challengeParams(probe.headers.get('www-authenticate')).resource_metadata!;
    expect(metadataUrl).toBe(`${server.url}/.well-known/oauth-protected-resource/mcp`);
    const prm = await send(metadataUrl, { method: 'GET' });
    const token = await as.token({ resource: prm.body.resource, scope: prm.body.scopes_supported.join(' ') });

    const discover = await post(token, 'server-discover-probe-2', 'server/discover');
    expect(discover.status).toBe(200);
    expect(discover.body.result.supportedVersions).toContain(MODERN);
    expect(discover.body.result.capabilities.tools).toBeDefined();

    const list = await post(token, 1, 'tools/list');
    expect(list.body.result.tools.map((t: { name: string }) => t.name)).toContain('list_tools');
    const call = await post(token, 2, 'tools/call', { name: 'list_tools', arguments: {} });
    expect(call.status).toBe(200);
    expect(call.body.result.structuredContent.tools[0].name).toBe('discovery');
  });

  it('falls back to the older handshake after the probe (client that prefers initialize)', async () => {
    const token = await as.token({ resource: server.mcpUrl, scope: 'mcp:read mcp:write' });
    expect((await post(token, 'probe', 'server/discover')).status).toBe(200);
    const init = await rpc(server.mcpUrl, initialize('2025-06-18', 'claude-ai'), token);
    expect(init.status).toBe(200);
    expect(init.body.result.protocolVersion).toBe('2025-06-18');
    const headers = { 'mcp-protocol-version': '2025-06-18' };
    expect((await rpc(server.mcpUrl, { jsonrpc: '2.0', method: 'notifications/initialized' }, token, headers)).status).toBe(202);
    const list = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, token, headers);
    expect(list.body.result.tools.length).toBeGreaterThan(0);
    const call = await rpc(server.mcpUrl, toolsCall(2, 'get_tool_documentation', { tool_name: 'discovery' }), token, headers);
    expect(call.body.result.structuredContent.operations.map((o: { name: string }) => o.name)).toEqual([
      'list_tools',
      'get_tool_documentation',
    ]);
  });

  it('refuses a 2026-07-28 request whose Mcp-Method header disagrees with the body', async () => {
    const token = await as.token({ resource: server.mcpUrl, scope: 'mcp:read' });
    const answer = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: META } }, token, {
      'mcp-method': 'tools/call',
      'mcp-protocol-version': MODERN,
    });
    expect(answer.status).toBe(400);
  });
});

describe('Claude Desktop through mcp-remote (npx mcp-remote <url> --header "Authorization: Bearer ${KEY}")', () => {
  let keyed: TestServer;
  beforeAll(async () => {
    keyed = await startOAuthServer({ AUTH_MODE: 'api_key' });
  });
  afterAll(async () => {
    await keyed?.close();
  });

  it('connects with the static header, and its optional GET stream gets 405 (no server-initiated stream)', async () => {
    const client = await connectClient(keyed.mcpUrl, '2025-06-18', ADMIN_KEY);
    try {
      const result = await client.callTool({ name: 'list_tools', arguments: {} });
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
    }
    const get = await fetch(keyed.mcpUrl, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${ADMIN_KEY}`, 'mcp-protocol-version': '2025-06-18' },
    });
    expect(get.status).toBe(405);
  });
});

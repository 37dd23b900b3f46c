import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawPost, type TestServer } from '../helpers/server.js';
import { startOAuthServer } from '../auth/oauthServer.js';
import { startAuthorizationServer, type TestAuthorizationServer } from '../auth/oidcProvider.js';
import { challengeParams, initialize, rpc, send, toolsCall } from '../auth/wire.js';

/**
 * What ChatGPT (developer mode / apps) sends: it names itself `openai-mcp`, accepts JSON and SSE,
 * and reaches a server only through OAuth or with no authentication at all.
 */
const CHATGPT_HEADERS = { 'user-agent': 'openai-mcp/1.0.0' };

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

/** Linking the connector: 401 → PRM → authorization server metadata → a token for PRM.resource. */
async function linkLikeChatGpt(): Promise<string> {
  const first = await rpc(server.mcpUrl, initialize('2025-06-18', 'openai-mcp'), undefined, CHATGPT_HEADERS);
  expect(first.status).toBe(401);
  const metadataUrl = challengeParams(first.headers.get('www-authenticate')).resource_metadata!;
  const prm = await send(metadataUrl, { method: 'GET', headers: CHATGPT_HEADERS });
  expect(prm.status).toBe(200);
  const issuer = prm.body.authorization_servers[0];
  const asMetadata = await send(`${issuer}/.well-known/oauth-authorization-server`, { method: 'GET' });
  expect(asMetadata.body.issuer).toBe(issuer);
  // ChatGPT passes the PRM `resource` verbatim as the resource parameter.
  return as.token({ resource: prm.body.resource, scope: prm.body.scopes_supported.join(' ') });
}

describe.each(['2025-06-18', '2025-03-26'])('ChatGPT connector on %s', (version) => {
  it('links through OAuth discovery, then initializes, lists and calls tools', async () => {
    const token = await linkLikeChatGpt();
    const init = await rpc(server.mcpUrl, initialize(version, 'openai-mcp'), token, CHATGPT_HEADERS);
    expect(init.status).toBe(200);
    expect(init.body.result.protocolVersion).toBe(version);
    expect(init.body.result.capabilities.tools).toBeDefined();
    const headers = { ...CHATGPT_HEADERS, 'mcp-protocol-version': version };

    const initialized = await rpc(server.mcpUrl, { jsonrpc: '2.0', method: 'notifications/initialized' }, token, headers);
    expect(initialized.status).toBe(202);

    const list = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }, token, headers);
    expect(list.status).toBe(200);
    const listTools = list.body.result.tools.find((t: { name: string }) => t.name === 'list_tools');
    // ChatGPT skips the approval prompt only for tools marked read-only.
    expect(listTools.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, openWorldHint: false });
    const bump = list.body.result.tools.find((t: { name: string }) => t.name === 'test_bump');
    expect(bump.annotations.readOnlyHint).toBe(false);

    const call = await rpc(server.mcpUrl, toolsCall(2, 'get_tool_documentation', { tool_name: 'discovery' }), token, headers);
    expect(call.status).toBe(200);
    expect(call.body.result.isError).toBeFalsy();
    expect(call.body.result.structuredContent.name).toBe('discovery');
    expect(JSON.parse(call.body.result.content[0].text)).toEqual(call.body.result.structuredContent);
  });
});

describe('ChatGPT quick try without auth behind a tunnel (AUTH_MODE=none)', () => {
  let open: TestServer;
  beforeAll(async () => {
    open = await startOAuthServer({
      AUTH_MODE: 'none',
      HOST: '0.0.0.0',
      AUTH_NONE_ALLOW_REMOTE: 'true',
      PUBLIC_URL: 'https://random-words.trycloudflare.com',
    });
  });
  afterAll(async () => {
    await open?.close();
  });

  it('answers the tunnel Host with no credentials, and its OAuth probes with 404', async () => {
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      host: 'random-words.trycloudflare.com',
      ...CHATGPT_HEADERS,
    };
    const init = await rawPost(open.mcpUrl, JSON.stringify(initialize('2025-06-18', 'openai-mcp')), headers);
    expect(init.status).toBe(200);
    const call = await rawPost(open.mcpUrl, JSON.stringify(toolsCall(1, 'list_tools')), {
      ...headers,
      'mcp-protocol-version': '2025-06-18',
    });
    expect(call.status).toBe(200);
    expect(call.body).toContain('discovery');
    for (const path of [
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-authorization-server',
    ]) {
      expect((await send(`${open.url}${path}`, { method: 'GET' })).status).toBe(404);
    }
  });
});

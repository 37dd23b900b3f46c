import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type TestServer } from '../../helpers/server.js';
import { challengeParams, initialize, rpc } from '../wire.js';
import { authorize, CHATGPT_REDIRECT, CLAUDE_REDIRECT, register, startBuiltinServer, tokenRequest } from './flow.js';

let server: TestServer;
beforeAll(async () => {
  server = await startBuiltinServer();
});
afterAll(async () => {
  await server?.close();
});

/** What every connector does first: an unauthenticated call, then the two metadata documents. */
async function discover(version: string) {
  const first = await rpc(server.mcpUrl, initialize(version, 'openai-mcp'), undefined);
  expect(first.status).toBe(401);
  const { resource_metadata, scope } = challengeParams(first.headers.get('www-authenticate'));
  const prm = await (await fetch(resource_metadata!)).json();
  expect(prm.authorization_servers).toEqual([server.url]);
  const as = await (await fetch(`${prm.authorization_servers[0]}/.well-known/oauth-authorization-server`)).json();
  expect(as.code_challenge_methods_supported).toContain('S256');
  expect(as.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['none', 'client_secret_post', 'client_secret_basic']));
  // RFC 9207 iss: ChatGPT then uses its stable redirect URI.
  expect(as.authorization_response_iss_parameter_supported).toBe(true);
  return { prm, as, scope: scope ?? prm.scopes_supported.join(' ') };
}

async function toolsListWith(token: string, version: string) {
  const init = await rpc(server.mcpUrl, initialize(version, 'replay'), token);
  expect(init.status).toBe(200);
  const session = init.headers.get('mcp-session-id');
  const headers: Record<string, string> = { 'mcp-protocol-version': version, ...(session ? { 'mcp-session-id': session } : {}) };
  await rpc(server.mcpUrl, { jsonrpc: '2.0', method: 'notifications/initialized' }, token, headers);
  const listed = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, token, headers);
  expect(listed.status).toBe(200);
  return listed.body.result.tools.map((t: { name: string }) => t.name) as string[];
}

describe('replay: ChatGPT connects through the built-in authorization server', () => {
  it('registers (DCR, both redirect forms, client_secret_post), authorizes with resource and PKCE, exchanges, lists tools', async () => {
    const { prm, as, scope } = await discover('2025-06-18');
    const { status, body: client } = await register(server, {
      client_name: 'ChatGPT',
      redirect_uris: [CHATGPT_REDIRECT, 'https://chatgpt.com/connector/oauth/7Yq2bC9xKp'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      scope,
    });
    expect(status).toBe(201);
    expect(as.registration_endpoint).toBe(`${server.url}/oauth/register`);
    const flow = await authorize(server, {
      clientId: client.client_id,
      clientSecret: client.client_secret,
      secretInBody: true,
      redirectUri: CHATGPT_REDIRECT,
      key: ADMIN_KEY,
      scope,
      resource: prm.resource,
    });
    expect(flow.callback.searchParams.get('iss')).toBe(server.url);
    expect(flow.status).toBe(200);
    expect(await toolsListWith(flow.body.access_token, '2025-06-18')).toContain('test_bump');
    const refreshed = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: flow.body.refresh_token,
        client_id: client.client_id,
        client_secret: client.client_secret,
        resource: prm.resource,
      }),
    });
    expect(refreshed.status).toBe(200);
    expect(await toolsListWith(((await refreshed.json()) as { access_token: string }).access_token, '2025-06-18')).toContain('test_bump');
  });

  it('the callback form https://chatgpt.com/connector/oauth/{id} works as registered', async () => {
    const redirect = 'https://chatgpt.com/connector/oauth/Zz81kQ';
    const { body: client } = await register(server, {
      client_name: 'ChatGPT',
      redirect_uris: [redirect],
      token_endpoint_auth_method: 'none',
    });
    const flow = await authorize(server, { clientId: client.client_id, redirectUri: redirect, key: ADMIN_KEY, access: 'read' });
    expect(flow.body.scope).toBe('mcp:read');
  });
});

describe('replay: Claude connects through the built-in authorization server', () => {
  it('registers a public client, authorizes, exchanges, lists tools and refreshes', async () => {
    const { prm, scope } = await discover('2025-11-25');
    const { status, body: client } = await register(server, {
      client_name: 'Claude',
      redirect_uris: [CLAUDE_REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope,
    });
    expect(status).toBe(201);
    const flow = await authorize(server, {
      clientId: client.client_id,
      redirectUri: CLAUDE_REDIRECT,
      key: ADMIN_KEY,
      scope,
      resource: prm.resource,
    });
    expect(await toolsListWith(flow.body.access_token, '2025-11-25')).toContain('test_bump');
    const refreshed = await tokenRequest(
      server,
      { clientId: client.client_id },
      { grant_type: 'refresh_token', refresh_token: flow.body.refresh_token, resource: prm.resource },
    );
    expect(refreshed.status).toBe(200);
    expect(await toolsListWith(refreshed.body.access_token, '2025-11-25')).toContain('test_bump');
  });

  it('answers 401 invalid_client for a client it does not know, which makes Claude register again', async () => {
    const answer = await tokenRequest(
      server,
      { clientId: 'forgotten-client' },
      { grant_type: 'refresh_token', refresh_token: 'x'.repeat(43) },
    );
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('invalid_client');
  });
});

import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, type TestServer } from '../helpers/server.js';
import { startOAuthServer } from './oauthServer.js';
import { accessTokenClaims, startAuthorizationServer, type TestAuthorizationServer } from './oidcProvider.js';
import { challengeParams, initialize, rpc, send, toolsCall } from './wire.js';

let as: TestAuthorizationServer;
let server: TestServer;
let resource: string;

beforeAll(async () => {
  as = await startAuthorizationServer();
  server = await startOAuthServer({ AUTH_MODE: 'oauth', OAUTH_ISSUER: as.issuer });
  resource = server.mcpUrl;
});
afterAll(async () => {
  await server?.close();
  await as?.close();
});

/** What every refusal must carry: 401 and a challenge that leads the client to our metadata. */
function expectChallenge(answer: { status: number; headers: Headers }, error?: string) {
  expect(answer.status).toBe(401);
  const header = answer.headers.get('www-authenticate');
  expect(header).toMatch(/^Bearer /);
  const params = challengeParams(header);
  expect(params.resource_metadata).toBe(`${server.url}/.well-known/oauth-protected-resource/mcp`);
  expect(params.scope).toBe('mcp:read mcp:write');
  expect(params.error).toBe(error);
}

async function callListTools(token: string | undefined) {
  return rpc(server.mcpUrl, toolsCall(1, 'list_tools'), token, { 'mcp-protocol-version': '2025-06-18' });
}

describe('OAuth access tokens from a real OpenID provider', () => {
  it('accepts a token issued for this resource, in both dialects', async () => {
    const token = await as.token({ resource, scope: 'mcp:read mcp:write' });
    const init = await rpc(server.mcpUrl, initialize('2025-06-18'), token);
    expect(init.status).toBe(200);
    expect(init.body.result.protocolVersion).toBe('2025-06-18');
    const call = await callListTools(token);
    expect(call.status).toBe(200);
    expect(call.body.result.structuredContent.tools.map((t: { name: string }) => t.name)).toEqual(['discovery', 'test']);
    const env = await send(server.mcpUrl, { body: envelope('discovery', 'list_tools'), headers: { authorization: `Bearer ${token}` } });
    expect(env.status).toBe(200);
    expect(env.body.message_type).toBe('response');
  });

  it('challenges a request without a token, pointing at the protected resource metadata', async () => {
    const answer = await rpc(server.mcpUrl, initialize('2025-06-18'), undefined);
    expectChallenge(answer);
    expect(answer.body).toMatchObject({ jsonrpc: '2.0', id: 0, error: { code: -32001 } });
  });

  it('refuses a token issued for another resource (audience)', async () => {
    const token = await as.token({ resource: 'https://other.example.com/mcp', scope: 'mcp:read' });
    const answer = await callListTools(token);
    expectChallenge(answer, 'invalid_token');
    expect(answer.body.error.message).toContain(`resource=${resource}`);
  });

  it('refuses a token for the resource with a trailing slash (the audience is compared exactly)', async () => {
    const token = await as.token({ resource: `${resource}/`, scope: 'mcp:read' });
    expectChallenge(await callListTools(token), 'invalid_token');
  });

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await as.mint(accessTokenClaims(as.issuer, resource, { iat: now - 7200, exp: now - 3600 }));
    const answer = await callListTools(token);
    expectChallenge(answer, 'invalid_token');
    expect(answer.body.error.message).toMatch(/expired/);
  });

  it('refuses a token that is not valid yet (nbf beyond the clock tolerance)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await as.mint(accessTokenClaims(as.issuer, resource, { nbf: now + 3600 }));
    const answer = await callListTools(token);
    expectChallenge(answer, 'invalid_token');
    expect(answer.body.error.message).toMatch(/not valid yet/);
  });

  it('accepts a token whose nbf is within the clock tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await as.mint(accessTokenClaims(as.issuer, resource, { nbf: now + 10 }));
    expect((await callListTools(token)).status).toBe(200);
  });

  it('refuses a token signed by a key the provider does not publish', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const claims = accessTokenClaims(as.issuer, resource);
    const unknownKid = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'attacker-key' }).sign(privateKey);
    expectChallenge(await callListTools(unknownKid), 'invalid_token');
    // Same kid as the provider's real key, but signed with another key.
    const forgedKid = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: as.kid }).sign(privateKey);
    expectChallenge(await callListTools(forgedKid), 'invalid_token');
  });

  it('refuses tokens from another issuer, without exp, or with a symmetric or "none" algorithm', async () => {
    expectChallenge(await callListTools(await as.mint(accessTokenClaims('https://evil.example.com', resource))), 'invalid_token');
    const { exp: _exp, ...noExp } = accessTokenClaims(as.issuer, resource);
    expectChallenge(await callListTools(await as.mint(noExp)), 'invalid_token');
    const hs = await new SignJWT(accessTokenClaims(as.issuer, resource))
      .setProtectedHeader({ alg: 'HS256', kid: as.kid })
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expectChallenge(await callListTools(hs), 'invalid_token');
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(accessTokenClaims(as.issuer, resource))}.`;
    expectChallenge(await callListTools(unsigned), 'invalid_token');
  });

  it('refuses a tampered token (payload changed after signing)', async () => {
    const token = await as.token({ resource, scope: 'mcp:read' });
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'mcp:read mcp:write' })).toString('base64url');
    expectChallenge(await callListTools(`${header}.${widened}.${signature}`), 'invalid_token');
  });

  it.each([
    ['three garbage segments', 'abc.def.ghi'],
    ['an opaque string (no introspection configured)', 'not-a-jwt-at-all'],
    ['a truncated JWT', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0'],
  ])('refuses a malformed token: %s', async (_label, token) => {
    expectChallenge(await callListTools(token), 'invalid_token');
  });

  it('refuses a malformed Authorization header with the OAuth challenge', async () => {
    const answer = await rpc(server.mcpUrl, initialize('2025-06-18'), undefined, { authorization: 'Basic dXNlcjpwYXNz' });
    expectChallenge(answer, 'invalid_token');
  });

  it('refuses an access token in the query string', async () => {
    const token = await as.token({ resource, scope: 'mcp:read' });
    const answer = await rpc(`${server.mcpUrl}?access_token=${token}`, initialize('2025-06-18'), token);
    expectChallenge(answer, 'invalid_token');
  });

  it('does not accept API keys when AUTH_MODE=oauth', async () => {
    expectChallenge(await callListTools('admin-key-0123456789'), 'invalid_token');
  });
});

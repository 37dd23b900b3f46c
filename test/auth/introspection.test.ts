import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenIntrospector } from '../../src/auth/oauth/introspection.js';
import { AuthUnavailableError } from '../../src/auth/oauth/errors.js';
import type { TestServer } from '../helpers/server.js';
import { startFakeAuthServer, type FakeAuthServer } from './fakeAuthServer.js';
import { startOAuthServer } from './oauthServer.js';
import {
  CLIENT_SECRET,
  INTROSPECTOR_ID,
  OPAQUE_CLIENT_ID,
  startAuthorizationServer,
  type TestAuthorizationServer,
} from './oidcProvider.js';
import { challengeParams, rpc, toolsCall } from './wire.js';

const V = { 'mcp-protocol-version': '2025-06-18' };

describe('opaque tokens through RFC 7662 introspection at a real provider', () => {
  let as: TestAuthorizationServer;
  let server: TestServer;
  beforeAll(async () => {
    as = await startAuthorizationServer();
    server = await startOAuthServer({
      AUTH_MODE: 'oauth',
      OAUTH_ISSUER: as.issuer,
      OAUTH_INTROSPECTION_URL: `${as.issuer}/token/introspection`,
      OAUTH_INTROSPECTION_CLIENT_ID: INTROSPECTOR_ID,
      OAUTH_INTROSPECTION_CLIENT_SECRET: `${CLIENT_SECRET}-rs`,
    });
  });
  afterAll(async () => {
    await server?.close();
    await as?.close();
  });

  it('accepts an active opaque token for this resource, with its scopes', async () => {
    const token = await as.token({ resource: server.mcpUrl, scope: 'mcp:read', clientId: OPAQUE_CLIENT_ID });
    expect(token.split('.')).toHaveLength(1);
    const list = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, token, V);
    expect(list.status).toBe(200);
    const names = list.body.result.tools.map((t: { name: string }) => t.name);
    expect(names).toContain('test_echo');
    expect(names).not.toContain('test_bump');
  });

  it('refuses an opaque token issued for another resource', async () => {
    const token = await as.token({ resource: 'https://other.example.com/mcp', scope: 'mcp:read', clientId: OPAQUE_CLIENT_ID });
    const answer = await rpc(server.mcpUrl, toolsCall(2, 'list_tools'), token, V);
    expect(answer.status).toBe(401);
    expect(challengeParams(answer.headers.get('www-authenticate')).error).toBe('invalid_token');
  });

  it('refuses an opaque token the provider does not know', async () => {
    const answer = await rpc(server.mcpUrl, toolsCall(3, 'list_tools'), 'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA', V);
    expect(answer.status).toBe(401);
  });
});

describe('TokenIntrospector rules (scripted authorization server)', () => {
  let fake: FakeAuthServer;
  let answer: Record<string, unknown> = {};
  let status = 200;
  let seenAuth: string | undefined;
  const now = () => Math.floor(Date.now() / 1000);
  const introspector = (cacheMs = 0) =>
    new TokenIntrospector({
      url: `${fake.url}/introspect`,
      clientId: 'rs id',
      clientSecret: 's:cret',
      cacheMs,
      issuer: 'https://as.example.com',
      audiences: ['https://mcp.example.com/mcp'],
      clockToleranceSec: 30,
    });

  beforeAll(async () => {
    fake = await startFakeAuthServer((app) => {
      app.post('/introspect', express.urlencoded({ extended: false }), (req, res) => {
        seenAuth = req.get('authorization');
        res.status(status).json(answer);
      });
    });
  });
  afterAll(async () => {
    await fake?.close();
  });

  const good = () => ({
    active: true,
    iss: 'https://as.example.com',
    aud: 'https://mcp.example.com/mcp',
    sub: 'u1',
    scope: 'mcp:read',
    exp: now() + 600,
    token_type: 'Bearer',
  });

  it('authenticates with form-encoded client credentials in Basic auth (RFC 6749 §2.3.1)', async () => {
    answer = good();
    status = 200;
    expect((await introspector().check('tok')).ok).toBe(true);
    expect(Buffer.from(seenAuth!.replace(/^Basic /, ''), 'base64').toString()).toBe('rs+id:s%3Acret');
  });

  it.each([
    ['inactive', { active: false }, 'invalid'],
    ['no audience', { aud: undefined }, 'wrong_audience'],
    ['another audience', { aud: ['https://other.example.com'] }, 'wrong_audience'],
    ['another issuer', { iss: 'https://evil.example.com' }, 'invalid'],
    ['expired', { exp: Math.floor(Date.now() / 1000) - 120 }, 'expired'],
    ['not yet valid', { nbf: Math.floor(Date.now() / 1000) + 3600 }, 'invalid'],
    ['a refresh token', { token_type: 'refresh_token' }, 'invalid'],
  ])('refuses an answer that is %s', async (_label, change, reason) => {
    answer = { ...good(), ...change };
    status = 200;
    expect(await introspector().check('tok')).toMatchObject({ ok: false, reason });
  });

  it('treats an introspection failure as an outage (503), not a bad token', async () => {
    status = 401;
    answer = { error: 'invalid_client' };
    await expect(introspector().check('tok')).rejects.toBeInstanceOf(AuthUnavailableError);
    status = 200;
  });

  it('reuses an active answer within OAUTH_INTROSPECTION_CACHE_MS, and only for the same token', async () => {
    answer = good();
    status = 200;
    const cached = introspector(60_000);
    const before = fake.hits.get('/introspect') ?? 0;
    await cached.check('token-a');
    await cached.check('token-a');
    expect(fake.hits.get('/introspect')).toBe(before + 1);
    answer = { active: false };
    expect((await cached.check('token-b')).ok).toBe(false);
    expect(fake.hits.get('/introspect')).toBe(before + 2);
  });
});

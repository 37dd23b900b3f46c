import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_KEY, type TestServer } from '../../helpers/server.js';
import { describeWithRedis, dropPrefix, REDIS_URL, uniquePrefix } from '../../infra/helpers/services.js';
import { rpc } from '../wire.js';
import {
  authorize,
  authorizeUrl,
  Browser,
  CHATGPT_REDIRECT,
  openConsent,
  pkce,
  register,
  registerPublic,
  startBuiltinServer,
  submitConsent,
  tokenRequest,
} from './flow.js';

const prefix = uniquePrefix('oauth-as');
const shared = { REDIS_URL, REDIS_PREFIX: prefix };

describeWithRedis('two replicas on one Redis act as one authorization server', () => {
  let a: TestServer;
  let b: TestServer;
  /** Replica B as the client sees it: B's address, but the one public URL (issuer, resource) of both. */
  let viaB: TestServer;
  beforeAll(async () => {
    a = await startBuiltinServer(shared);
    b = await startBuiltinServer({ ...shared, PUBLIC_URL: a.url }, undefined);
    viaB = { ...b, mcpUrl: a.mcpUrl };
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await dropPrefix(REDIS_URL, prefix);
  });

  const listToolsAt = (server: TestServer, token: string) =>
    rpc(`${server.url}/mcp`, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, token, { 'mcp-protocol-version': '2025-06-18' });

  it('keeps its state in Redis (OAUTH_STORE=auto with REDIS_URL)', () => {
    expect(a.config.oauth.builtin?.store).toBe('redis');
    expect(b.config.oauth.builtin?.store).toBe('redis');
  });

  it('publishes the same metadata from both', async () => {
    const fromA = await (await fetch(`${a.url}/.well-known/oauth-authorization-server`)).json();
    const fromB = await (await fetch(`${b.url}/.well-known/oauth-authorization-server`)).json();
    expect(fromB).toEqual(fromA);
    const jwksA = await (await fetch(fromA.jwks_uri)).json();
    const jwksB = await (await fetch(fromA.jwks_uri.replace(a.url, b.url))).json();
    expect(jwksB).toEqual(jwksA);
  });

  it('a client registered on A is known to B; a code issued by A is redeemed at B; B accepts and refreshes the token', async () => {
    const client = await registerPublic(a, CHATGPT_REDIRECT);
    const viaA = await authorize(a, { clientId: client.client_id, redirectUri: CHATGPT_REDIRECT, key: ADMIN_KEY });
    expect((await listToolsAt(b, viaA.body.access_token)).status).toBe(200);
    const refreshed = await tokenRequest(
      viaB,
      { clientId: client.client_id },
      { grant_type: 'refresh_token', refresh_token: viaA.body.refresh_token },
    );
    expect(refreshed.status).toBe(200);
    expect((await listToolsAt(a, refreshed.body.access_token)).status).toBe(200);
    // Reuse of the rotated refresh token on A is seen: the family is revoked on both.
    const replay = await tokenRequest(
      a,
      { clientId: client.client_id },
      { grant_type: 'refresh_token', refresh_token: viaA.body.refresh_token },
    );
    expect(replay.body.error).toBe('invalid_grant');
    expect((await listToolsAt(b, refreshed.body.access_token)).status).toBe(401);
  });

  it('a revocation on one replica is seen by the other at once', async () => {
    const { body: client } = await register(b, { client_name: 'Backend', redirect_uris: ['https://app.example/cb'] });
    const flow = await authorize(viaB, {
      clientId: client.client_id,
      clientSecret: client.client_secret,
      redirectUri: 'https://app.example/cb',
      key: ADMIN_KEY,
    });
    expect(flow.status).toBe(200);
    expect((await listToolsAt(a, flow.body.access_token)).status).toBe(200);
    const revoked = await fetch(`${a.url}/oauth/revoke`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token: flow.body.refresh_token }),
    });
    expect(revoked.status).toBe(200);
    expect((await listToolsAt(b, flow.body.access_token)).status).toBe(401);
    const refresh = await tokenRequest(
      viaB,
      { clientId: client.client_id, clientSecret: client.client_secret },
      { grant_type: 'refresh_token', refresh_token: flow.body.refresh_token },
    );
    expect(refresh.body.error).toBe('invalid_grant');
  });

  it('the tokens command sees grants made through either replica', async () => {
    const client = await registerPublic(b, CHATGPT_REDIRECT, { client_name: 'Listed' });
    await authorize(viaB, { clientId: client.client_id, redirectUri: CHATGPT_REDIRECT, key: ADMIN_KEY });
    const grants = await (await import('../../../src/auth/authServer/grants.js')).listGrants(b.built.authServer!.store);
    expect(grants.find((g) => g.clientId === client.client_id)).toMatchObject({ clientName: 'Listed', key: 'admin' });
  });
});

const guessPrefix = uniquePrefix('oauth-guess');

describeWithRedis('wrong consent keys are counted across replicas', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const env = { REDIS_URL, REDIS_PREFIX: guessPrefix, OAUTH_CONSENT_KEY_FAILURES_PER_IP: '3' };
    a = await startBuiltinServer(env);
    b = await startBuiltinServer({ ...env, PUBLIC_URL: a.url });
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await dropPrefix(REDIS_URL, guessPrefix);
  });

  it('guesses spread over two replicas hit one limit', async () => {
    const client = await registerPublic(a, CHATGPT_REDIRECT);
    const viaB = { ...b, mcpUrl: a.mcpUrl };
    const params = (server: TestServer) => ({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: CHATGPT_REDIRECT,
      scope: 'mcp:read',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      resource: server.mcpUrl,
    });
    const onA = new Browser(a.url);
    const consentA = await openConsent(onA, authorizeUrl(a, params(a)));
    const onB = new Browser(b.url, new URL(a.url).origin);
    const consentB = await openConsent(onB, authorizeUrl(viaB, params(viaB)));
    const statuses = [
      (await submitConsent(onA, a, consentA, { key: 'guess-1', decision: 'approve' })).status,
      (await submitConsent(onB, viaB, consentB, { key: 'guess-2', decision: 'approve' })).status,
      (await submitConsent(onA, a, consentA, { key: 'guess-3', decision: 'approve' })).status,
    ];
    expect(statuses).toEqual([401, 401, 401]);
    const blocked = await submitConsent(onB, viaB, consentB, { key: ADMIN_KEY, decision: 'approve' });
    expect(blocked.status).toBe(429);
  });
});

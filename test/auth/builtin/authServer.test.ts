import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, READER_KEY, type TestServer } from '../../helpers/server.js';
import { initialize, rpc, toolsCall } from '../wire.js';
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

let server: TestServer;
beforeAll(async () => {
  server = await startBuiltinServer();
});
afterAll(async () => {
  await server?.close();
});

const baseParams = (clientId: string, redirectUri = CHATGPT_REDIRECT) => {
  const { challenge } = pkce();
  return {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'mcp:read mcp:write',
    state: 'xyz',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource: server.mcpUrl,
  };
};

describe('the built-in authorization server: discovery', () => {
  it('publishes RFC 8414 metadata with this server as issuer, and the PRM points at it', async () => {
    const as = await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json();
    expect(as.issuer).toBe(server.url);
    expect(as.authorization_endpoint).toBe(`${server.url}/oauth/authorize`);
    expect(as.token_endpoint).toBe(`${server.url}/oauth/token`);
    expect(as.registration_endpoint).toBe(`${server.url}/oauth/register`);
    expect(as.revocation_endpoint).toBe(`${server.url}/oauth/revoke`);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.response_types_supported).toEqual(['code']);
    const oidc = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json();
    expect(oidc.issuer).toBe(server.url);
    const prm = await (await fetch(`${server.url}/.well-known/oauth-protected-resource/mcp`)).json();
    expect(prm).toMatchObject({
      resource: server.mcpUrl,
      authorization_servers: [server.url],
      scopes_supported: ['mcp:read', 'mcp:write'],
    });
  });

  it('keeps the 401 challenge pointing at the protected-resource metadata', async () => {
    const answer = await rpc(server.mcpUrl, initialize('2025-06-18'), undefined);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toContain(`resource_metadata="${server.url}/.well-known/oauth-protected-resource/mcp"`);
  });

  it('builds endpoint URLs from PUBLIC_URL, never from a forged Host or X-Forwarded-Host', async () => {
    const as = await (
      await fetch(`${server.url}/.well-known/oauth-authorization-server`, {
        headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      })
    ).json();
    expect(as.token_endpoint).toBe(`${server.url}/oauth/token`);
  });
});

describe('the built-in authorization server: registration', () => {
  it('registers public and confidential clients', async () => {
    const pub = await registerPublic(server, CHATGPT_REDIRECT);
    expect(pub.client_id).toBeTruthy();
    expect(pub.client_secret).toBeUndefined();
    const confidential = await register(server, {
      client_name: 'Backend',
      redirect_uris: ['https://app.example/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(confidential.status).toBe(201);
    expect(confidential.body.client_secret).toBeTruthy();
  });

  it.each(['http://app.example/cb', 'myapp://callback', 'javascript:alert(1)', 'data:text/html,hi', 'https://app.example/cb#frag'])(
    'refuses the redirect URI %s (https, or http on loopback only)',
    async (uri) => {
      const { status, body } = await register(server, { redirect_uris: [uri], token_endpoint_auth_method: 'none' });
      expect(status).toBe(400);
      expect(['invalid_redirect_uri', 'invalid_client_metadata']).toContain(body.error);
    },
  );

  it('accepts loopback http redirect URIs (native apps, RFC 8252)', async () => {
    for (const uri of ['http://127.0.0.1:33418/callback', 'http://localhost:8080/cb', 'http://[::1]:9000/cb']) {
      const { status } = await register(server, { redirect_uris: [uri], token_endpoint_auth_method: 'none' });
      expect(status).toBe(201);
    }
  });

  it('stores a registration with an expiry until it completes an authorization', async () => {
    const client = await registerPublic(server, CHATGPT_REDIRECT);
    const store = server.built.authServer!.store;
    const before = (await store.list('Client')).find((c) => c.id === client.client_id);
    expect(before?.expiresAt).toBeGreaterThan(Date.now() / 1000);
    await authorize(server, { clientId: client.client_id, redirectUri: CHATGPT_REDIRECT, key: ADMIN_KEY });
    const after = (await store.list('Client')).find((c) => c.id === client.client_id);
    expect(after).toBeDefined();
    expect(after?.expiresAt).toBeUndefined();
  });
});

describe('the built-in authorization server: the flow', () => {
  it('issues tokens for this resource that work on /mcp, and refreshes them', async () => {
    const client = await registerPublic(server, CHATGPT_REDIRECT);
    const { status, body } = await authorize(server, { clientId: client.client_id, redirectUri: CHATGPT_REDIRECT, key: ADMIN_KEY });
    expect(status).toBe(200);
    expect(body.token_type).toBe('Bearer');
    expect(body.scope).toBe('mcp:read mcp:write');
    expect(body.refresh_token).toBeTruthy();
    expect(body.expires_in).toBeLessThanOrEqual(900);
    const listed = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, body.access_token, {
      'mcp-protocol-version': '2025-06-18',
    });
    expect(listed.status).toBe(200);
    const written = await rpc(server.mcpUrl, toolsCall(2, 'test_bump', {}), body.access_token, { 'mcp-protocol-version': '2025-06-18' });
    expect(written.body.result?.isError).toBeFalsy();

    const refreshed = await tokenRequest(
      server,
      { clientId: client.client_id },
      { grant_type: 'refresh_token', refresh_token: body.refresh_token },
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(body.access_token);
    expect(refreshed.body.refresh_token).not.toBe(body.refresh_token);
    const again = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, refreshed.body.access_token, {
      'mcp-protocol-version': '2025-06-18',
    });
    expect(again.status).toBe(200);
  });

  it('grants read only when the owner picks it, and never more than the key allows', async () => {
    const client = await registerPublic(server, CHATGPT_REDIRECT);
    const readOnly = await authorize(server, { clientId: client.client_id, redirectUri: CHATGPT_REDIRECT, key: ADMIN_KEY, access: 'read' });
    expect(readOnly.body.scope).toBe('mcp:read');
    const reader = await authorize(server, { clientId: client.client_id, redirectUri: CHATGPT_REDIRECT, key: READER_KEY, access: 'write' });
    expect(reader.body.scope).toBe('mcp:read');
    const denied = await rpc(server.mcpUrl, toolsCall(1, 'test_bump', {}), reader.body.access_token, {
      'mcp-protocol-version': '2025-06-18',
    });
    expect(denied.body.result?.isError).toBe(true);
  });

  it('a confidential client authenticates at the token endpoint', async () => {
    const { body: client } = await register(server, { client_name: 'Backend', redirect_uris: ['https://app.example/cb'] });
    const ok = await authorize(server, {
      clientId: client.client_id,
      clientSecret: client.client_secret,
      redirectUri: 'https://app.example/cb',
      key: ADMIN_KEY,
    });
    expect(ok.status).toBe(200);
  });

  it('Deny sends access_denied back to the client', async () => {
    const client = await registerPublic(server, CHATGPT_REDIRECT);
    const browser = new Browser(server.url);
    const consent = await openConsent(browser, authorizeUrl(server, baseParams(client.client_id)));
    const done = await submitConsent(browser, server, consent, { decision: 'deny' });
    expect(done.url).toBeDefined();
    const callback = new URL(done.url!);
    expect(`${callback.origin}${callback.pathname}`).toBe(CHATGPT_REDIRECT);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('code')).toBeNull();
  });
});

describe('the built-in authorization server: hostile requests', () => {
  it('requires PKCE with S256', async () => {
    const client = await registerPublic(server, CHATGPT_REDIRECT);
    const browser = new Browser(server.url);
    for (const params of [
      { ...baseParams(client.client_id), code_challenge: undefined, code_challenge_method: undefined },
      { ...baseParams(client.client_id), code_challenge_method: 'plain' },
    ]) {
      const answer = await browser.follow(authorizeUrl(server, params));
      const callback = new URL(answer.url);
      expect(callback.origin).toBe('https://chatgpt.com');
      expect(callback.searchParams.get('error')).toBe('invalid_request');
    }
  });

  it('refuses a token for another resource (invalid_target)', async () => {
    const client = await registerPublic(server, CHATGPT_REDIRECT);
    const browser = new Browser(server.url);
    const answer = await browser.follow(authorizeUrl(server, { ...baseParams(client.client_id), resource: 'https://other.example/mcp' }));
    expect(new URL(answer.url).searchParams.get('error')).toBe('invalid_target');
  });

  it('refuses on /mcp a token of ours minted for another audience', async () => {
    const client = await registerPublic(server, CHATGPT_REDIRECT);
    const { body } = await authorize(server, { clientId: client.client_id, redirectUri: CHATGPT_REDIRECT, key: ADMIN_KEY });
    const provider = server.built.authServer!.provider;
    const stored = await provider.AccessToken.find(body.access_token);
    const foreign = new provider.AccessToken({
      accountId: stored.accountId,
      clientId: stored.clientId,
      grantId: stored.grantId,
      scope: 'mcp:read mcp:write',
      aud: 'https://other.example/mcp',
      gty: 'authorization_code',
    });
    const value = await foreign.save();
    const answer = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, value, {
      'mcp-protocol-version': '2025-06-18',
    });
    expect(answer.status).toBe(401);
    expect(answer.body.error.message).toContain('not issued for this server');
  });

  it('renders errors on its own page (no redirect) before the client and redirect URI are validated', async () => {
    const client = await registerPublic(server, CHATGPT_REDIRECT);
    const browser = new Browser(server.url);
    for (const params of [
      { ...baseParams('no-such-client'), redirect_uri: 'https://evil.example/steal' },
      { ...baseParams(client.client_id), redirect_uri: 'https://evil.example/steal' },
      // exact match: no extra path, query or trailing slash
      { ...baseParams(client.client_id), redirect_uri: `${CHATGPT_REDIRECT}/x` },
      { ...baseParams(client.client_id), redirect_uri: `${CHATGPT_REDIRECT}?a=1` },
      { ...baseParams(client.client_id), redirect_uri: `${CHATGPT_REDIRECT}/` },
      { ...baseParams(client.client_id), redirect_uri: undefined },
    ]) {
      const answer = await browser.follow(authorizeUrl(server, params));
      expect(answer.status).toBe(400);
      expect(answer.location).toBeUndefined();
      expect(answer.text).toContain('This authorization cannot continue');
      expect(answer.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
  });

  it('codes are single use: a replay fails and revokes what the code gave', async () => {
    const client = await registerPublic(server, CHATGPT_REDIRECT);
    const first = await authorize(server, { clientId: client.client_id, redirectUri: CHATGPT_REDIRECT, key: ADMIN_KEY });
    expect(first.status).toBe(200);
    const replay = await tokenRequest(
      server,
      { clientId: client.client_id },
      {
        grant_type: 'authorization_code',
        code: first.code,
        redirect_uri: CHATGPT_REDIRECT,
        code_verifier: first.verifier,
        resource: server.mcpUrl,
      },
    );
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    const after = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, first.body.access_token, {
      'mcp-protocol-version': '2025-06-18',
    });
    expect(after.status).toBe(401);
  });

  it('codes are short-lived: one minute', async () => {
    const client = await registerPublic(server, CHATGPT_REDIRECT);
    const browser = new Browser(server.url);
    const consent = await openConsent(browser, authorizeUrl(server, baseParams(client.client_id)));
    const done = await submitConsent(browser, server, consent, { key: ADMIN_KEY, access: 'read', decision: 'approve' });
    const code = new URL(done.url!).searchParams.get('code')!;
    const stored = await server.built.authServer!.provider.AuthorizationCode.find(code);
    expect(stored.exp - stored.iat).toBe(60);
  });

  it('a wrong code_verifier gets no token', async () => {
    const client = await registerPublic(server, CHATGPT_REDIRECT);
    const browser = new Browser(server.url);
    const params = baseParams(client.client_id);
    const consent = await openConsent(browser, authorizeUrl(server, params));
    const done = await submitConsent(browser, server, consent, { key: ADMIN_KEY, access: 'read', decision: 'approve' });
    const code = new URL(done.url!).searchParams.get('code')!;
    const answer = await tokenRequest(
      server,
      { clientId: client.client_id },
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: CHATGPT_REDIRECT,
        code_verifier: pkce().verifier,
      },
    );
    expect(answer.body.error).toBe('invalid_grant');
  });

  it('escapes a hostile client_name and never shows logo_uri', async () => {
    const client = await registerPublic(server, CHATGPT_REDIRECT, {
      client_name: '<script>alert(1)</script><img src=x onerror=alert(2)>"\'',
      logo_uri: 'https://tracker.example/logo.png',
    });
    const browser = new Browser(server.url);
    const consent = await openConsent(browser, authorizeUrl(server, baseParams(client.client_id)));
    expect(consent.status).toBe(200);
    expect(consent.text).not.toContain('<script>alert');
    expect(consent.text).not.toContain('<img src=x');
    expect(consent.text).toContain('&#60;script&#62;alert(1)&#60;&#47;script&#62;');
    expect(consent.text).not.toContain('tracker.example');
    expect(consent.text).toContain('chatgpt.com');
    const csp = consent.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(consent.headers.get('x-frame-options')).toBe('DENY');
  });

  it('refuses a consent POST without the CSRF cookie and token, or from another origin', async () => {
    const client = await registerPublic(server, CHATGPT_REDIRECT);
    const browser = new Browser(server.url);
    const consent = await openConsent(browser, authorizeUrl(server, baseParams(client.client_id)));
    const wrongToken = await submitConsent(browser, server, { ...consent, csrf: 'forged' }, { key: ADMIN_KEY, decision: 'approve' });
    expect(wrongToken.status).toBe(403);
    const crossOrigin = await submitConsent(
      browser,
      server,
      consent,
      { key: ADMIN_KEY, decision: 'approve' },
      { origin: 'https://evil.example' },
    );
    expect(crossOrigin.status).toBe(403);
    // Another browser (no interaction or CSRF cookie) holding the URL and token.
    const stranger = await submitConsent(new Browser(server.url), server, consent, { key: ADMIN_KEY, decision: 'approve' });
    expect(stranger.status).toBe(403);
    // The real page still works afterwards.
    const ok = await submitConsent(browser, server, consent, { key: ADMIN_KEY, decision: 'approve' });
    expect(ok.url?.startsWith(CHATGPT_REDIRECT)).toBe(true);
  });
});

describe('the built-in authorization server: key guessing', () => {
  it('limits wrong keys per address, then refuses even the right key for the window', async () => {
    const limited = await startBuiltinServer({ OAUTH_CONSENT_KEY_FAILURES_PER_IP: '3' });
    try {
      const client = await registerPublic(limited, CHATGPT_REDIRECT);
      const browser = new Browser(limited.url);
      const consent = await openConsent(browser, authorizeUrl(limited, { ...baseParams(client.client_id), resource: limited.mcpUrl }));
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++)
        statuses.push(
          (await submitConsent(browser, limited, consent, { key: `guess-${i}`, decision: 'approve' }, { origin: limited.url })).status,
        );
      expect(statuses).toEqual([401, 401, 401]);
      const blocked = await submitConsent(browser, limited, consent, { key: ADMIN_KEY, decision: 'approve' }, { origin: limited.url });
      expect(blocked.status).toBe(429);
      expect(blocked.text).toContain('Too many wrong keys');
    } finally {
      await limited.close();
    }
  });
});

describe('the built-in authorization server: registration limits', () => {
  it('rate-limits registrations per address and caps the number of clients', async () => {
    const limited = await startBuiltinServer({ OAUTH_REGISTRATIONS_PER_HOUR: '3', OAUTH_MAX_CLIENTS: '100' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await register(limited, { redirect_uris: [CHATGPT_REDIRECT], token_endpoint_auth_method: 'none' })).status);
      expect(statuses).toEqual([201, 201, 201, 429]);
    } finally {
      await limited.close();
    }
    const capped = await startBuiltinServer({ OAUTH_MAX_CLIENTS: '2' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await register(capped, { redirect_uris: [CHATGPT_REDIRECT], token_endpoint_auth_method: 'none' })).status);
      expect(statuses).toEqual([201, 201, 403]);
    } finally {
      await capped.close();
    }
  });
});

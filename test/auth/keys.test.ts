import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthorizationServerDiscovery, metadataUrls } from '../../src/auth/oauth/discovery.js';
import { AuthUnavailableError } from '../../src/auth/oauth/errors.js';
import { JwtAccessTokenVerifier } from '../../src/auth/oauth/jwtVerifier.js';
import { grantedScopes } from '../../src/auth/oauth/scopes.js';
import { startFakeAuthServer, type FakeAuthServer } from './fakeAuthServer.js';

const RESOURCE = 'https://mcp.example.com/mcp';

async function keyPair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } as JWK };
}

describe('signing keys: discovery, caching and rotation', () => {
  let fake: FakeAuthServer;
  let published: JWK[] = [];
  let issuerInMetadata = '';
  const keyA = keyPair('key-a');
  const keyB = keyPair('key-b');

  beforeAll(async () => {
    fake = await startFakeAuthServer((app, url) => {
      issuerInMetadata = url;
      // Only OIDC discovery: RFC 8414 answers 404, so the fallback is exercised.
      app.get('/.well-known/openid-configuration', (_req, res) => res.json({ issuer: issuerInMetadata, jwks_uri: `${url}/keys` }));
      app.get('/keys', (_req, res) => res.json({ keys: published }));
    });
  });
  afterAll(async () => {
    await fake?.close();
  });
  afterEach(() => {
    vi.useRealTimers();
    issuerInMetadata = fake.url;
  });

  const verifier = (options: { jwksUrl?: string } = {}) =>
    new JwtAccessTokenVerifier({
      issuer: fake.url,
      audiences: [RESOURCE],
      clockToleranceSec: 30,
      jwksCacheMs: 600_000,
      discovery: new AuthorizationServerDiscovery(fake.url),
      ...options,
    });

  async function token(key: Awaited<typeof keyA>) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sub: 'u', scope: 'mcp:read' })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setIssuer(fake.url)
      .setAudience(RESOURCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(key.privateKey);
  }

  it('tries RFC 8414 first, then falls back to OpenID Connect discovery', async () => {
    published = [(await keyA).publicJwk];
    expect(metadataUrls('https://as.example.com/tenant')).toEqual([
      'https://as.example.com/.well-known/oauth-authorization-server/tenant',
      'https://as.example.com/.well-known/openid-configuration/tenant',
      'https://as.example.com/tenant/.well-known/openid-configuration',
    ]);
    const v = verifier();
    expect(await v.verify(await token(await keyA))).toMatchObject({ ok: true });
    expect(fake.hits.get('/.well-known/oauth-authorization-server')).toBeGreaterThanOrEqual(1);
    expect(fake.hits.get('/.well-known/openid-configuration')).toBeGreaterThanOrEqual(1);
  });

  it('caches the key set: many verifications, one fetch', async () => {
    published = [(await keyA).publicJwk];
    const v = verifier();
    const before = fake.hits.get('/keys') ?? 0;
    for (let i = 0; i < 5; i++) expect((await v.verify(await token(await keyA))).ok).toBe(true);
    expect(fake.hits.get('/keys')).toBe(before + 1);
  });

  it('picks up a rotated key once the 30 s cooldown has passed, and not before', async () => {
    published = [(await keyA).publicJwk];
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const v = verifier();
    expect((await v.verify(await token(await keyA))).ok).toBe(true);
    published = [(await keyA).publicJwk, (await keyB).publicJwk];
    // Within the cooldown an unknown kid does not trigger a refetch (no hammering the AS).
    expect(await v.verify(await token(await keyB))).toMatchObject({ ok: false, reason: 'invalid' });
    vi.setSystemTime(Date.now() + 31_000);
    expect((await v.verify(await token(await keyB))).ok).toBe(true);
  });

  it('uses OAUTH_JWKS_URL instead of discovery when given', async () => {
    published = [(await keyA).publicJwk];
    const before = fake.hits.get('/.well-known/openid-configuration') ?? 0;
    const v = new JwtAccessTokenVerifier({
      issuer: fake.url,
      audiences: [RESOURCE],
      clockToleranceSec: 30,
      jwksCacheMs: 600_000,
      jwksUrl: `${fake.url}/keys`,
      discovery: new AuthorizationServerDiscovery('https://unused.example.com'),
    });
    expect((await v.verify(await token(await keyA))).ok).toBe(true);
    expect(fake.hits.get('/.well-known/openid-configuration') ?? 0).toBe(before);
  });

  it('refuses metadata that names another issuer (mix-up protection)', async () => {
    issuerInMetadata = 'https://evil.example.com';
    await expect(new AuthorizationServerDiscovery(fake.url).metadata()).rejects.toBeInstanceOf(AuthUnavailableError);
  });

  it('reports an unreachable key set as an outage, not as a bad token', async () => {
    const v = new JwtAccessTokenVerifier({
      issuer: fake.url,
      audiences: [RESOURCE],
      clockToleranceSec: 30,
      jwksCacheMs: 600_000,
      jwksUrl: `${fake.url}/no-such-keys`,
      discovery: new AuthorizationServerDiscovery(fake.url),
    });
    await expect(v.verify(await token(await keyA))).rejects.toBeInstanceOf(AuthUnavailableError);
  });
});

describe('scope claims', () => {
  const names = { read: 'mcp:read', write: 'mcp:write', exec: 'mcp:exec' };
  it.each([
    ['a space-separated scope string', { scope: 'openid mcp:read mcp:write' }, ['read', 'write']],
    ['an scp array (Okta)', { scp: ['mcp:read'] }, ['read']],
    ['an scp string (Entra)', { scp: 'mcp:write' }, ['write']],
    ['both claims', { scope: 'mcp:read', scp: ['mcp:write'] }, ['read', 'write']],
    ['look-alike names', { scope: 'mcp:read:all mcp:writer MCP:READ mcp:exec:all MCP:EXEC' }, []],
    ['exec only when named', { scope: 'mcp:read mcp:write mcp:exec' }, ['exec', 'read', 'write']],
    ['read and write never grant exec', { scope: 'mcp:read mcp:write', scp: ['mcp:read'] }, ['read', 'write']],
    ['no claim', {}, []],
  ])('maps %s', (_label, claims, expected) => {
    expect([...grantedScopes(claims, names)].sort()).toEqual(expected);
  });
  it('uses the configured names', () => {
    expect(
      [...grantedScopes({ scope: 'files.read files.write' }, { read: 'files.read', write: 'files.write', exec: 'files.exec' })].sort(),
    ).toEqual(['read', 'write']);
  });
});

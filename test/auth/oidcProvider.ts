import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'mcp-client';
export const CLIENT_SECRET = 'mcp-client-secret-0123456789';
/** Gets opaque (non-JWT) access tokens, to exercise introspection. */
export const OPAQUE_CLIENT_ID = 'opaque-client';
/** The resource server's own credentials at the introspection endpoint. */
export const INTROSPECTOR_ID = 'mcp-resource-server';
export const SCOPES = 'mcp:read mcp:write';

export interface TestAuthorizationServer {
  issuer: string;
  /** A client_credentials access token for `resource` with the given scopes. */
  token: (options: { resource: string; scope?: string; clientId?: string }) => Promise<string>;
  /** Signs arbitrary claims with the provider's own signing key (for expired / not-yet-valid tokens). */
  mint: (claims: JWTPayload, header?: { kid?: string }) => Promise<string>;
  kid: string;
  close: () => Promise<void>;
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return (server.address() as AddressInfo).port;
}

/**
 * A real OpenID provider (oidc-provider 9) on a loopback port, issuing RFC 9068 JWT access
 * tokens for the requested resource indicator through the client_credentials grant.
 */
export async function startAuthorizationServer(): Promise<TestAuthorizationServer> {
  const http = createServer();
  const port = await listen(http);
  const issuer = `http://127.0.0.1:${port}`;
  const kid = 'test-key-1';
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };

  const client = (client_id: string) => ({
    client_id,
    client_secret: client_id === INTROSPECTOR_ID ? `${CLIENT_SECRET}-rs` : CLIENT_SECRET,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: SCOPES,
  });
  const provider = new Provider(issuer, {
    clients: [client(CLIENT_ID), client(OPAQUE_CLIENT_ID), client(INTROSPECTOR_ID)],
    scopes: ['mcp:read', 'mcp:write'],
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    ttl: { ClientCredentials: 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: () => true },
      resourceIndicators: {
        enabled: true,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resourceIndicator: string, requester: { clientId: string }) => ({
          scope: SCOPES,
          audience: resourceIndicator,
          accessTokenTTL: 600,
          accessTokenFormat: requester.clientId === OPAQUE_CLIENT_ID ? 'opaque' : 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  });
  http.on('request', provider.callback());

  return {
    issuer,
    kid,
    async token({ resource, scope, clientId = CLIENT_ID }) {
      const body = new URLSearchParams({ grant_type: 'client_credentials', resource });
      if (scope !== undefined) body.set('scope', scope);
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${CLIENT_SECRET}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body,
      });
      const json = (await response.json()) as { access_token?: string; error_description?: string };
      if (!json.access_token) throw new Error(`token request failed: ${response.status} ${JSON.stringify(json)}`);
      return json.access_token;
    },
    async mint(claims, header = {}) {
      return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: header.kid ?? kid }).sign(privateKey);
    },
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** Claims like the provider's own access tokens, for hand-minted variants. */
export function accessTokenClaims(issuer: string, audience: string, overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: issuer,
    aud: audience,
    sub: CLIENT_ID,
    client_id: CLIENT_ID,
    scope: SCOPES,
    iat: now,
    exp: now + 600,
    jti: `jti-${Math.random()}`,
    ...overrides,
  };
}

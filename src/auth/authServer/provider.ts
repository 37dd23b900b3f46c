import Provider, { errors, interactionPolicy } from 'oidc-provider';
import type { Logger } from 'winston';
import type { ScopeNames } from '../oauth/scopes.js';
import type { LoginMethod } from './login.js';
import { adapterClass, markClientUsed } from './adapter.js';
import { MetadataFetchError, metadataFetch } from './metadataFetch.js';
import { hostOf, keyNameOf } from './names.js';
import { errorPage, newNonce, setPageHeaders } from './pages.js';
import type { ServerSecrets } from './secrets.js';
import type { OAuthStore } from './store.js';
import { redirectUriAllowed, type BuiltinAuthServerConfig } from '../../config/oauthServer.js';

/** Where the provider's endpoints live under the app (Express strips it; oidc-provider adds it back to URLs). */
export const MOUNT = '/oauth';
export const CONSENT_PATH = `${MOUNT}/consent`;

export interface ProviderOptions {
  config: BuiltinAuthServerConfig;
  /** The one resource this server issues tokens for: PUBLIC_URL + /mcp. */
  resource: string;
  scopeNames: ScopeNames;
  /** The process tool is on: the exec scope can be asked for and granted. */
  execOffered?: boolean;
  store: OAuthStore;
  secrets: ServerSecrets;
  /** Resolves the account a grant names (the login method that approved it). */
  login: LoginMethod;
  logger: Logger;
  /** Overrides the outbound fetch (tests). */
  fetch?: ReturnType<typeof metadataFetch>;
}

/** oidc-provider configured as this server's OAuth 2.1 authorization server. */
export function createProvider(options: ProviderOptions): Provider {
  const { config, resource, scopeNames, store, secrets, login, logger } = options;
  // Security: exec exists as a scope only while the process tool is on.
  const ours = [scopeNames.read, scopeNames.write, ...(options.execOffered ? [scopeNames.exec] : [])];
  const resourceScope = ours.join(' ');

  const preregistered = new Set(config.clients.map((client) => client.client_id));
  const policy = interactionPolicy.base();
  const provider = new Provider(config.issuer, {
    adapter: adapterClass(store, config.unusedClientTtlSec),
    jwks: secrets.jwks,
    clients: config.clients,
    // Every outbound fetch (Client ID Metadata Documents) goes through the SSRF-safe fetcher.
    fetch: options.fetch ?? metadataFetch({ allowedTargets: new Set(config.metadataAllowedTargets) }),
    cookies: { keys: secrets.cookieKeys },
    // Our scope names are listed as provider scopes too: clients (the MCP SDK among them) send them
    // in their registration's `scope`, which must name only scopes the provider knows.
    scopes: ['offline_access', ...ours],
    responseTypes: ['code'],
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    // Security: PKCE (S256, the only method oidc-provider 9 implements) for every client, public or confidential.
    pkce: { required: () => true },
    // Security: the redirect_uri must always be sent and must match a registered one exactly.
    allowOmittingSingleRegisteredRedirectUri: false,
    extraClientMetadata: {
      properties: ['redirect_uris'],
      // Called once per client (for its redirect_uris, listed or not); may amend the metadata.
      validator(_ctx: unknown, key: string, value: unknown, metadata: Record<string, unknown>) {
        if (key !== 'redirect_uris') return;
        // A Client ID Metadata Document may not use a shared secret, so one that names no
        // token_endpoint_auth_method is a public client, not one missing its client_secret (the
        // RFC 7591 default every other client gets). Documents that name a secret-based method
        // are refused by oidc-provider before this.
        if (
          // DCR client ids are generated, never URLs: an https one not from OAUTH_CLIENTS_FILE is a document's.
          typeof metadata.client_id === 'string' &&
          /^https:\/\//i.test(metadata.client_id) &&
          !preregistered.has(metadata.client_id) &&
          metadata.client_secret === undefined &&
          metadata.token_endpoint_auth_method === 'client_secret_basic'
        )
          metadata.token_endpoint_auth_method = 'none';
        if (value === undefined) return;
        if (!Array.isArray(value)) return; // the schema itself reports the wrong type
        for (const uri of value) {
          if (typeof uri !== 'string' || !redirectUriAllowed(uri))
            throw new errors.InvalidRedirectUri(
              `redirect_uris must be https URLs, or http URLs on a loopback address (127.0.0.1, [::1], localhost), without a fragment; refused: ${String(uri).slice(0, 200)}`,
            );
        }
      },
    },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true, initialAccessToken: false },
      // The 2025-11-25 authorization spec prefers a client_id that is an https URL of its own
      // metadata; oidc-provider fetches (via metadataFetch), validates and caches it (LRU, max-age).
      clientIdMetadataDocument: { enabled: true, ack: 'draft-02' },
      registrationManagement: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: false },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        // Security: tokens are minted for this server's /mcp only; any other resource is refused
        // (invalid_target), so a token of ours can never be replayed at another service.
        getResourceServerInfo(_ctx: unknown, indicator: string) {
          if (indicator !== resource) throw new errors.InvalidTarget(`this authorization server issues tokens only for ${resource}`);
          return { scope: resourceScope, audience: resource, accessTokenTTL: config.accessTokenTtlSec, accessTokenFormat: 'opaque' };
        },
      },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${CONSENT_PATH}/${interaction.uid}`, policy },
    // Security: every authorization goes through the consent page and the owner's key; an
    // earlier grant of the same browser session is never reused silently.
    loadExistingGrant: async (ctx: { oidc: { result?: { consent?: { grantId?: string } }; provider: Provider } }) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    findAccount: async (_ctx: unknown, id: string, token?: unknown) => {
      const account = login.find(id);
      if (account) return { accountId: account.accountId, claims: async () => ({ sub: account.accountId }) };
      // Security: a code or refresh token of an account the login method no longer knows is
      // refused (invalid_grant), and the client is told why as a refused access token is.
      if (token !== undefined) throw new errors.CustomOIDCProviderError('invalid_grant', login.goneMessage);
      return undefined;
    },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed: (grant: string) => boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: config.accessTokenTtlSec,
      // Security: codes live one minute and are single use (oidc-provider consumes them and
      // revokes the whole grant when one is replayed).
      AuthorizationCode: 60,
      RefreshToken: config.refreshTokenTtlSec,
      Grant: config.refreshTokenTtlSec,
      Interaction: 600,
      Session: 600,
      IdToken: 600,
    },
    routes: {
      authorization: '/authorize',
      token: '/token',
      registration: '/register',
      revocation: '/revoke',
      jwks: '/jwks',
      end_session: '/logout',
      userinfo: '/userinfo',
      introspection: '/introspect',
    },
    renderError: async (
      ctx: { type: string; body: string; res: import('node:http').ServerResponse; oidc?: { params?: { client_id?: unknown } } },
      out: { error?: string; error_description?: string },
      error?: Error,
    ) => {
      const nonce = newNonce();
      setPageHeaders(ctx.res, nonce);
      ctx.type = 'html';
      ctx.body = errorPage(
        nonce,
        'This authorization cannot continue',
        `${out.error ?? 'error'}: ${out.error_description ?? 'the request was refused.'}${whyRefused(error, ctx.oidc?.params?.client_id)}`,
      );
    },
  });
  provider.proxy = true;

  provider.on(
    'registration_create.success',
    (_ctx: unknown, client: { clientId: string; clientName?: string; redirectUris?: string[] }) => {
      logger.info('oauth audit: client registered', {
        audit: 'client_registered',
        client_id: client.clientId,
        client_name: client.clientName,
        redirect_hosts: (client.redirectUris ?? []).map(hostOf),
      });
    },
  );
  provider.on(
    'grant.success',
    (ctx: {
      oidc: { client?: { clientId: string }; params?: { grant_type?: string }; entities?: { Account?: { accountId: string } } };
    }) => {
      const clientId = ctx.oidc.client?.clientId;
      if (clientId) void markClientUsed(store, clientId).catch(() => undefined);
      logger.info('oauth audit: tokens issued', {
        audit: 'tokens_issued',
        client_id: clientId,
        grant_type: ctx.oidc.params?.grant_type,
        key: keyNameOf(ctx.oidc.entities?.Account?.accountId),
      });
    },
  );
  provider.on('grant.revoked', (_ctx: unknown, grantId: string) => {
    logger.info('oauth audit: grant revoked', { audit: 'grant_revoked', grant_id: grantId });
  });
  provider.on('grant.error', (ctx: { oidc?: { client?: { clientId: string } } }, error: Error & { error_description?: string }) => {
    logger.warn('oauth audit: token request refused', {
      audit: 'token_refused',
      client_id: ctx.oidc?.client?.clientId,
      error: error.message,
      error_description: error.error_description,
    });
  });
  provider.on('revocation.success', (ctx: { oidc?: { client?: { clientId: string } } }) => {
    logger.info('oauth audit: token revoked', { audit: 'token_revoked', client_id: ctx.oidc?.client?.clientId });
  });
  provider.on('server_error', (_ctx: unknown, error: Error) =>
    logger.error('oauth server error', { error: error.message, stack: error.stack }),
  );
  return provider;
}

/**
 * What the error page adds to oidc-provider's description: why a client's metadata document was
 * refused (too big, not on a public address, …) in our own words, or that a client_id URL must be
 * https. Any other cause stays in the log.
 */
function whyRefused(error: Error | undefined, clientId: unknown): string {
  if (error?.cause instanceof MetadataFetchError) return `: ${error.cause.message}`;
  if ((error as { error?: string } | undefined)?.error !== 'invalid_client' || typeof clientId !== 'string') return '';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(clientId) && !/^https:\/\//i.test(clientId))
    return ": a client_id that is a URL must be the https URL of the client's metadata document";
  return '';
}

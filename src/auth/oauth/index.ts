import type { Logger } from 'winston';
import type { OAuthConfig } from '../../config/oauth.js';
import type { Caller, Scope } from '../../core/caller.js';
import type { Authenticator } from '../authenticator.js';
import { insufficientScopeChallenge, oauthChallenge, type ChallengeError } from './challenge.js';
import { AuthorizationServerDiscovery } from './discovery.js';
import { TokenIntrospector } from './introspection.js';
import { JwtAccessTokenVerifier } from './jwtVerifier.js';
import { OAuthAuthenticator } from './oauthAuthenticator.js';
import { scopeNamesFor, type ScopeNames } from './scopes.js';

export { AuthUnavailableError } from './errors.js';
export { apiKeyChallenge, type ChallengeError } from './challenge.js';

/** Everything the app wires when AUTH_MODE is oauth or both. */
export interface OAuthResourceServer {
  config: OAuthConfig;
  authenticator: Authenticator;
  /** The 401 (and no-scope 403) WWW-Authenticate value. */
  challenge: (error?: ChallengeError) => string;
  /** The per-operation step-up challenge, or undefined when none applies. */
  insufficientScope: (caller: Caller, needed: Scope) => string | undefined;
  /** The external authorization server's metadata (undefined when this server is its own). */
  discovery?: AuthorizationServerDiscovery;
  /** Token scope names this server grants permissions for (RFC 9728 `scopes_supported`). */
  scopesSupported: string[];
}

/**
 * Builds the OAuth resource server from config; undefined when OAuth is off. With the built-in
 * authorization server, its token authenticator replaces JWT verification and introspection.
 * `execOffered` (the process tool is on): the exec scope is asked for in the 401 challenge and
 * advertised in `scopes_supported`; otherwise only read and write are.
 */
export function createOAuthResourceServer(
  config: OAuthConfig,
  logger: Logger,
  options: { builtin?: Authenticator; execOffered?: boolean } = {},
): OAuthResourceServer | undefined {
  if (!config.enabled) return undefined;
  const scopeNames: ScopeNames = { read: config.scopeRead, write: config.scopeWrite, exec: config.scopeExec };
  const offered: Scope[] = options.execOffered ? ['read', 'write', 'exec'] : ['read', 'write'];
  const challengeOptions = { resourceMetadataUrl: config.resourceMetadataUrl, scopeNames, offered };
  const scopesSupported = scopeNamesFor(offered, scopeNames);
  if (options.builtin) {
    return {
      config,
      scopesSupported,
      authenticator: options.builtin,
      challenge: oauthChallenge(challengeOptions),
      insufficientScope: insufficientScopeChallenge(challengeOptions),
    };
  }
  const discovery = new AuthorizationServerDiscovery(config.issuer);
  const jwt = new JwtAccessTokenVerifier({
    issuer: config.issuer,
    audiences: config.audiences,
    clockToleranceSec: config.clockToleranceSec,
    jwksCacheMs: config.jwksCacheMs,
    jwksUrl: config.jwksUrl,
    discovery,
  });
  const introspector = config.introspection
    ? new TokenIntrospector({
        ...config.introspection,
        issuer: config.issuer,
        audiences: config.audiences,
        clockToleranceSec: config.clockToleranceSec,
      })
    : undefined;
  logger.info('oauth resource server', { issuer: config.issuer, resource: config.resource, introspection: Boolean(introspector) });
  return {
    config,
    scopesSupported,
    authenticator: new OAuthAuthenticator(jwt, introspector, scopeNames, logger),
    challenge: oauthChallenge(challengeOptions),
    insufficientScope: insufficientScopeChallenge(challengeOptions),
    discovery,
  };
}

import type Provider from 'oidc-provider';
import type { Caller, Scope } from '../../core/caller.js';
import type { AuthResult, Authenticator } from '../authenticator.js';
import { AuthUnavailableError } from '../oauth/errors.js';
import { grantedScopes, type ScopeNames } from '../oauth/scopes.js';
import type { LoginMethod } from './login.js';

/** oidc-provider's opaque token values: 43 characters of its URL-safe alphabet. */
const OPAQUE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Access tokens of the built-in authorization server, checked against its store (so revocation,
 * a revoked grant family and an expired token take effect at once, on every replica sharing it).
 * Security: the token must be for this resource (aud), its grant's account must still be known to
 * the login method (for an API key: the key still exists with the same value), and the caller gets
 * the token's scopes intersected with that account's scopes today.
 */
export class BuiltinTokenAuthenticator implements Authenticator {
  readonly kind = 'oauth' as const;

  constructor(
    private readonly provider: Provider,
    private readonly login: LoginMethod,
    private readonly resource: string,
    private readonly scopeNames: ScopeNames,
  ) {}

  async authenticate(token: string): Promise<AuthResult | undefined> {
    if (!OPAQUE.test(token)) return undefined;
    let stored: { aud?: unknown; accountId?: unknown; scope?: unknown; clientId?: unknown } | undefined;
    try {
      stored = await this.provider.AccessToken.find(token);
    } catch (error) {
      // The store (Redis) is unreachable: our outage, answered 503, not a 401 that would send the
      // client into re-authorization.
      throw new AuthUnavailableError('The token store is unreachable.', { cause: error });
    }
    if (!stored) return undefined;
    const audiences: unknown[] = Array.isArray(stored.aud) ? stored.aud : [stored.aud];
    if (!audiences.includes(this.resource)) {
      return {
        ok: false,
        reason: 'wrong_audience',
        message: `The access token was not issued for this server: its audience must be ${this.resource}.`,
      };
    }
    const account = typeof stored.accountId === 'string' ? this.login.find(stored.accountId) : undefined;
    if (!account) return { ok: false, reason: 'invalid', message: this.login.goneMessage };
    const fromToken = grantedScopes({ scope: stored.scope }, this.scopeNames);
    const scopes = new Set<Scope>([...fromToken].filter((s) => account.scopes.has(s)));
    const caller: Caller = {
      id: account.callerId,
      name: `${account.name} via ${String(stored.clientId)}`,
      scopes,
      via: 'oauth',
    };
    return { ok: true, caller };
  }
}

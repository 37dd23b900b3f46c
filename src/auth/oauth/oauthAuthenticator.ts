import type { Logger } from 'winston';
import type { AuthResult, Authenticator } from '../authenticator.js';
import { AuthUnavailableError } from './errors.js';
import { callerFromClaims } from './callerFromClaims.js';
import type { TokenIntrospector } from './introspection.js';
import { looksLikeJwt, type JwtAccessTokenVerifier } from './jwtVerifier.js';
import type { ScopeNames } from './scopes.js';

/**
 * OAuth 2.1 bearer tokens: JWTs are verified locally against the issuer's keys; anything else
 * goes to introspection when it is configured. A token that is neither is not ours to judge
 * (undefined), so in AUTH_MODE=both the request ends as "unknown bearer token".
 * Security: the token is only ever sent to our own authorization server (introspection), never
 * passed on to a tool or an upstream API.
 */
export class OAuthAuthenticator implements Authenticator {
  readonly kind = 'oauth' as const;

  constructor(
    private readonly jwt: JwtAccessTokenVerifier,
    private readonly introspector: TokenIntrospector | undefined,
    private readonly scopeNames: ScopeNames,
    private readonly logger: Logger,
  ) {}

  async authenticate(token: string): Promise<AuthResult | undefined> {
    let checked: Awaited<ReturnType<JwtAccessTokenVerifier['verify']>>;
    try {
      if (looksLikeJwt(token)) checked = await this.jwt.verify(token);
      else if (this.introspector) checked = await this.introspector.check(token);
      else return undefined;
    } catch (error) {
      if (error instanceof AuthUnavailableError) {
        const cause = error.cause instanceof Error ? error.cause.message : undefined;
        this.logger.warn('oauth: authorization server unavailable', { error: error.message, cause });
      }
      throw error;
    }
    if (!checked.ok) return checked;
    return callerFromClaims(checked.claims, this.scopeNames);
  }
}

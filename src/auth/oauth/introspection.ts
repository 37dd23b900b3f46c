import { createHash } from 'node:crypto';
import type { IntrospectionConfig } from '../../config/oauth.js';
import type { AuthResult } from '../authenticator.js';
import { AuthUnavailableError } from './errors.js';
import { fetchJson, isRecord } from './fetchJson.js';

type Failure = Extract<AuthResult, { ok: false }>;
type Claims = Record<string, unknown>;

export interface IntrospectorOptions extends IntrospectionConfig {
  issuer: string;
  audiences: string[];
  clockToleranceSec: number;
  /** Most tokens remembered at once (oldest dropped first). */
  maxCached?: number;
}

const INACTIVE: Failure = {
  ok: false,
  reason: 'invalid',
  message: 'The access token is not active (unknown, revoked or expired). Obtain a new one.',
};

/** RFC 6749 §2.3.1: client id and secret are form-encoded before they go into Basic auth. */
function basicAuth(id: string, secret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

function audiencesOf(claims: Claims): string[] {
  if (typeof claims.aud === 'string') return [claims.aud];
  if (Array.isArray(claims.aud)) return claims.aud.filter((a): a is string => typeof a === 'string');
  return [];
}

/**
 * Checks opaque access tokens with RFC 7662 introspection. Active answers are remembered for a
 * short while (OAUTH_INTROSPECTION_CACHE_MS, never past the token's exp) so a chatty client
 * does not cost one authorization-server round trip per request; revocation takes effect
 * within that window.
 */
export class TokenIntrospector {
  private readonly cache = new Map<string, { claims: Claims; until: number }>();

  constructor(private readonly options: IntrospectorOptions) {}

  async check(token: string): Promise<{ ok: true; claims: Claims } | Failure> {
    // Security: the cache is keyed by a digest, so a heap dump holds no usable tokens.
    const key = createHash('sha256').update(token).digest('base64url');
    const hit = this.cache.get(key);
    if (hit && Date.now() < hit.until) return { ok: true, claims: hit.claims };
    if (hit) this.cache.delete(key);

    const claims = await this.introspect(token);
    const verdict = this.judge(claims);
    if (!verdict.ok) return verdict;
    const expMs = typeof claims.exp === 'number' ? claims.exp * 1000 : Infinity;
    const until = Math.min(Date.now() + this.options.cacheMs, expMs);
    if (until > Date.now()) {
      if (this.cache.size >= (this.options.maxCached ?? 10_000)) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, { claims, until });
    }
    return { ok: true, claims };
  }

  private async introspect(token: string): Promise<Claims> {
    const { status, body } = await fetchJson(this.options.url, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuth(this.options.clientId, this.options.clientSecret),
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      timeoutMs: 5_000,
    });
    if (status !== 200 || !isRecord(body) || typeof body.active !== 'boolean') {
      throw new AuthUnavailableError(
        `Token introspection at ${this.options.url} failed (HTTP ${status}); check OAUTH_INTROSPECTION_CLIENT_ID/SECRET.`,
      );
    }
    return body;
  }

  /**
   * Security: `active: true` alone is not enough. The token must also be meant for this
   * server (aud), come from our issuer when it says so, and be inside its validity window —
   * an authorization server serving many resources answers `active` for all of them.
   */
  private judge(claims: Claims): { ok: true } | Failure {
    if (claims.active !== true) return INACTIVE;
    const now = Date.now() / 1000;
    const skew = this.options.clockToleranceSec;
    if (typeof claims.exp === 'number' && claims.exp <= now - skew)
      return { ok: false, reason: 'expired', message: 'The access token has expired. Obtain a new one.' };
    if (typeof claims.nbf === 'number' && claims.nbf > now + skew)
      return { ok: false, reason: 'invalid', message: 'The access token is not valid yet (nbf is in the future).' };
    if (claims.iss !== undefined && claims.iss !== this.options.issuer) {
      return {
        ok: false,
        reason: 'invalid',
        message: 'The access token was issued by an authorization server this server does not trust.',
      };
    }
    if (typeof claims.token_type === 'string' && !['bearer', 'access_token'].includes(claims.token_type.toLowerCase())) {
      return { ok: false, reason: 'invalid', message: 'Only access tokens are accepted (this is another kind of token).' };
    }
    const audiences = audiencesOf(claims);
    if (!audiences.some((a) => this.options.audiences.includes(a))) {
      return {
        ok: false,
        reason: 'wrong_audience',
        message: `The access token was not issued for this server: its audience must be ${this.options.audiences.join(' or ')} (request it with resource=${this.options.audiences[0]}).`,
      };
    }
    return { ok: true };
  }
}

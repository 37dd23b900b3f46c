import type * as Jose from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { AuthResult } from '../authenticator.js';
import type { AuthorizationServerDiscovery } from './discovery.js';
import { AuthUnavailableError } from './errors.js';

export interface JwtVerifierOptions {
  issuer: string;
  audiences: string[];
  clockToleranceSec: number;
  jwksCacheMs: number;
  /** Overrides the jwks_uri from the issuer's metadata. */
  jwksUrl?: string;
  discovery: AuthorizationServerDiscovery;
}

/**
 * Security: asymmetric algorithms only. A symmetric (HS*) token would need a shared secret we
 * do not have, and `none` is never accepted; listing them here makes the rule explicit.
 */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const ACCEPTED = new Set(ALGORITHMS);

// jose loads with the first token to verify: a deployment with API keys only never needs it.
let joseModule: Promise<typeof Jose> | undefined;
const loadJose = () => (joseModule ??= import('jose'));

/** A compact JWS: three base64url segments (the signature may not be empty for us, but jose says so). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/**
 * Verifies JWT access tokens against the authorization server's JWKS: signature, issuer,
 * audience (this server's canonical resource, RFC 8707), expiry and not-before. Keys are cached
 * for OAUTH_JWKS_CACHE_MS and re-fetched when a token names an unknown key id (rotation), at
 * most once per 30 s so random key ids cannot make us hammer the authorization server.
 */
export class JwtAccessTokenVerifier {
  private keys?: JWTVerifyGetKey;

  constructor(private readonly options: JwtVerifierOptions) {}

  /** The claims of a valid token, or a failure saying what was wrong with it. */
  async verify(token: string): Promise<{ ok: true; claims: JWTPayload } | Extract<AuthResult, { ok: false }>> {
    // Security: the header is judged before anything is fetched, so a token we could never accept
    // (`none`, HS256, a malformed header) is a 401 without contacting the authorization server:
    // it cannot turn an outage into a 503 or make us fetch keys on an attacker's behalf.
    const jose = await loadJose();
    const refused = refuseHeader(jose, token);
    if (refused) return refused;
    const keys = await this.keySet(jose);
    try {
      const { payload } = await jose.jwtVerify(token, keys, {
        issuer: this.options.issuer,
        audience: this.options.audiences,
        clockTolerance: this.options.clockToleranceSec,
        algorithms: ALGORITHMS,
        // Security: a token without exp would never expire.
        requiredClaims: ['exp'],
      });
      return { ok: true, claims: payload };
    } catch (error) {
      return classify(jose.errors, error, this.options.audiences);
    }
  }

  private async keySet(jose: typeof Jose): Promise<JWTVerifyGetKey> {
    if (this.keys) return this.keys;
    let jwksUrl = this.options.jwksUrl;
    if (!jwksUrl) {
      const metadata = await this.options.discovery.metadata();
      if (typeof metadata.jwks_uri !== 'string')
        throw new AuthUnavailableError(`The metadata of ${this.options.issuer} has no jwks_uri; set OAUTH_JWKS_URL.`);
      jwksUrl = metadata.jwks_uri;
    }
    this.keys = jose.createRemoteJWKSet(new URL(jwksUrl), {
      cacheMaxAge: this.options.jwksCacheMs,
      cooldownDuration: 30_000,
      timeoutDuration: 5_000,
    });
    return this.keys;
  }
}

function refuseHeader(jose: typeof Jose, token: string): Extract<AuthResult, { ok: false }> | undefined {
  let alg: unknown;
  try {
    alg = jose.decodeProtectedHeader(token).alg;
  } catch {
    return { ok: false, reason: 'invalid', message: 'The access token is malformed: its JOSE header is not valid base64url JSON.' };
  }
  if (typeof alg === 'string' && ACCEPTED.has(alg)) return undefined;
  return {
    ok: false,
    reason: 'invalid',
    message: `The access token is signed with ${typeof alg === 'string' ? `alg "${alg.slice(0, 20)}"` : 'no alg'}, which this server never accepts; it accepts only ${ALGORITHMS.join(', ')}.`,
  };
}

function classify(errors: typeof Jose.errors, error: unknown, audiences: string[]): Extract<AuthResult, { ok: false }> {
  if (error instanceof errors.JWTExpired)
    return { ok: false, reason: 'expired', message: 'The access token has expired. Obtain a new one (refresh or re-authorize).' };
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') {
      return {
        ok: false,
        reason: 'wrong_audience',
        message: `The access token was not issued for this server: its audience must be ${audiences.join(' or ')} (request it with resource=${audiences[0]}).`,
      };
    }
    if (error.claim === 'nbf')
      return { ok: false, reason: 'invalid', message: 'The access token is not valid yet (nbf is in the future).' };
    if (error.claim === 'iss')
      return {
        ok: false,
        reason: 'invalid',
        message: 'The access token was issued by an authorization server this server does not trust.',
      };
    return { ok: false, reason: 'invalid', message: `The access token's "${error.claim}" claim is missing or invalid.` };
  }
  if (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid
  ) {
    return {
      ok: false,
      reason: 'invalid',
      message: "The access token is malformed or its signature does not verify against the authorization server's keys.",
    };
  }
  // Anything else is the key set itself failing (network, timeout, bad JSON): our outage.
  throw new AuthUnavailableError("The authorization server's signing keys could not be loaded; try again shortly.", { cause: error });
}

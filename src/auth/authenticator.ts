import type { Caller } from '../core/caller.js';

/** Outcome of checking one bearer token. */
export type AuthResult = { ok: true; caller: Caller } | { ok: false; reason: 'invalid' | 'expired' | 'wrong_audience'; message: string };

/** One way of turning a bearer token into a caller (API keys, OAuth JWTs, introspection). */
export interface Authenticator {
  readonly kind: 'api_key' | 'oauth';
  /** Returns undefined when the token is not of this kind at all (so the next authenticator may try). */
  authenticate(token: string): Promise<AuthResult | undefined>;
}

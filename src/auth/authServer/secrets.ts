import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { OAuthStore } from './store.js';

export interface ServerSecrets {
  /** Private signing keys (oidc-provider signs ID tokens and registration artefacts with them). */
  jwks: { keys: JWK[] };
  /** Keys for oidc-provider's signed cookies (interaction and session). */
  cookieKeys: string[];
  /** HMAC key for API-key fingerprints and consent-form CSRF tokens. */
  hmacKey: Buffer;
}

/**
 * Security: generated once and kept in the store (never in config or logs), so every replica on a
 * shared store and every restart use the same keys; the first writer wins a race.
 */
export async function loadSecrets(store: OAuthStore): Promise<ServerSecrets> {
  const jwk = await store.getOrCreateSecret('signing-jwk', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const key = await exportJWK(privateKey);
    return JSON.stringify({ ...key, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' });
  });
  const cookie = await store.getOrCreateSecret('cookie-key', async () => randomBytes(32).toString('base64url'));
  const hmac = await store.getOrCreateSecret('hmac-key', async () => randomBytes(32).toString('base64url'));
  return { jwks: { keys: [JSON.parse(jwk) as JWK] }, cookieKeys: [cookie], hmacKey: Buffer.from(hmac, 'base64url') };
}

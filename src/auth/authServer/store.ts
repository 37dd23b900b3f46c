/**
 * Where the authorization server keeps its state: oidc-provider's models (clients, grants,
 * codes, tokens, sessions, interactions) and the server's own secrets. One implementation per
 * backend (a SQLite file in DATA_DIR, Redis, PostgreSQL); all of them answer the same way, so
 * two replicas on one shared store act as one authorization server.
 */
export interface StoredModel {
  model: string;
  id: string;
  payload: Record<string, unknown>;
  /** Epoch seconds, or undefined for "never". */
  expiresAt?: number;
}

export interface OAuthStore {
  upsert(model: string, id: string, payload: Record<string, unknown>, expiresInSec: number | undefined): Promise<void>;
  find(model: string, id: string): Promise<Record<string, unknown> | undefined>;
  findByUid(model: string, uid: string): Promise<Record<string, unknown> | undefined>;
  findByUserCode(model: string, userCode: string): Promise<Record<string, unknown> | undefined>;
  consume(model: string, id: string): Promise<void>;
  destroy(model: string, id: string): Promise<void>;
  /** Deletes every token of any model that belongs to the grant. */
  revokeByGrantId(grantId: string): Promise<void>;
  /** Every live entry of one model (for the tokens command and the client count). */
  list(model: string): Promise<StoredModel[]>;
  count(model: string): Promise<number>;
  /** Stores `value` under `id` unless something is there already; returns what is stored. */
  getOrCreateSecret(id: string, create: () => Promise<string>): Promise<string>;
  close(): Promise<void>;
}

/** Models whose rows carry a grantId and go when the grant is revoked. */
export const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'ClientCredentials',
  'BackchannelAuthenticationRequest',
  'Grant',
]);

export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

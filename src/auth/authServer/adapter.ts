import type { OAuthStore } from './store.js';

/** oidc-provider's storage adapter contract, over one OAuthStore. */
export interface ProviderAdapter {
  upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void>;
  find(id: string): Promise<Record<string, unknown> | undefined>;
  findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined>;
  findByUid(uid: string): Promise<Record<string, unknown> | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

const CLIENT_USED = 'ClientUsed';

/**
 * Builds the adapter class oidc-provider instantiates once per model name. Dynamically
 * registered clients are stored with an expiry (OAUTH_UNUSED_CLIENT_TTL_S) until their first
 * completed authorization, so abandoned registrations clean themselves up.
 */
export function adapterClass(store: OAuthStore, unusedClientTtlSec: number) {
  return class StoreAdapter implements ProviderAdapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
      let ttl = expiresIn;
      if (this.model === 'Client' && ttl === undefined && !(await store.find(CLIENT_USED, id))) ttl = unusedClientTtlSec;
      await store.upsert(this.model, id, payload, ttl);
    }
    find(id: string) {
      return store.find(this.model, id);
    }
    findByUserCode(userCode: string) {
      return store.findByUserCode(this.model, userCode);
    }
    findByUid(uid: string) {
      return store.findByUid(this.model, uid);
    }
    consume(id: string) {
      return store.consume(this.model, id);
    }
    async destroy(id: string) {
      await store.destroy(this.model, id);
      if (this.model === 'Client') await store.destroy(CLIENT_USED, id);
    }
    revokeByGrantId(grantId: string) {
      return store.revokeByGrantId(grantId);
    }
  };
}

/** A client completed an authorization: it is in use and no longer expires. */
export async function markClientUsed(store: OAuthStore, clientId: string): Promise<void> {
  if (await store.find(CLIENT_USED, clientId)) return;
  const client = await store.find('Client', clientId);
  if (!client) return; // a pre-registered client lives in config, not in the store
  await store.upsert(CLIENT_USED, clientId, { clientId }, undefined);
  await store.upsert('Client', clientId, client, undefined);
}

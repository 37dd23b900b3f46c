import { keyNameOf } from './names.js';
import type { OAuthStore } from './store.js';

/** One authorization the owner approved: a client, the key that approved it, what it may do. */
export interface GrantSummary {
  grantId: string;
  clientId: string;
  clientName?: string;
  /** The API key's name (never its value or fingerprint). */
  key?: string;
  scopes: string[];
  createdAt?: string;
  expiresAt?: string;
}

export interface GrantFilter {
  grantId?: string;
  clientId?: string;
  key?: string;
}

const iso = (sec: unknown) => (typeof sec === 'number' ? new Date(sec * 1000).toISOString() : undefined);

/** Grants in the store, optionally those of one client, one key or one grant id. */
export async function listGrants(store: OAuthStore, filter: GrantFilter = {}): Promise<GrantSummary[]> {
  const clients = new Map((await store.list('Client')).map((c) => [c.id, c.payload]));
  const grants: GrantSummary[] = [];
  for (const row of await store.list('Grant')) {
    const p = row.payload as { accountId?: string; clientId?: string; iat?: number; exp?: number; resources?: Record<string, string> };
    const summary: GrantSummary = {
      grantId: row.id,
      clientId: String(p.clientId ?? ''),
      clientName:
        typeof clients.get(String(p.clientId))?.client_name === 'string' ? String(clients.get(String(p.clientId))!.client_name) : undefined,
      key: keyNameOf(p.accountId),
      scopes: [...new Set(Object.values(p.resources ?? {}).flatMap((s) => s.split(' ').filter(Boolean)))],
      createdAt: iso(p.iat),
      expiresAt: iso(p.exp ?? row.expiresAt),
    };
    if (filter.grantId && summary.grantId !== filter.grantId) continue;
    if (filter.clientId && summary.clientId !== filter.clientId) continue;
    if (filter.key && summary.key !== filter.key) continue;
    grants.push(summary);
  }
  return grants;
}

/** Revokes matching grants with every code, access and refresh token issued under them. */
export async function revokeGrants(store: OAuthStore, filter: GrantFilter): Promise<GrantSummary[]> {
  if (!filter.grantId && !filter.clientId && !filter.key) throw new Error('name a grant, a client or a key to revoke');
  const matching = await listGrants(store, filter);
  for (const grant of matching) {
    await store.revokeByGrantId(grant.grantId);
    await store.destroy('Grant', grant.grantId);
  }
  return matching;
}

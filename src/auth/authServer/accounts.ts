import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ApiKeyEntry } from '../../config/auth.js';
import type { Scope } from '../../core/caller.js';

/** The owner of a grant: one configured API key, as of now. */
export interface KeyAccount {
  /** oidc-provider's accountId: `<key name>:<fingerprint>`. */
  accountId: string;
  name: string;
  scopes: ReadonlySet<Scope>;
}

/**
 * The API keys that may approve authorizations on the consent page. A grant's account id holds
 * the key's name and an HMAC fingerprint of the key itself.
 * Security: removing or rotating a key changes or drops its fingerprint, so every grant, refresh
 * token and access token derived from the old key stops resolving to an account and is refused.
 * The fingerprint is keyed (HMAC with a stored secret), so it reveals nothing about the key.
 */
export class KeyAccounts {
  private readonly byId = new Map<string, KeyAccount>();
  private readonly digests: { digest: Buffer; account: KeyAccount }[] = [];

  constructor(entries: ApiKeyEntry[], hmacKey: Buffer) {
    for (const entry of entries) {
      const fingerprint = createHmac('sha256', hmacKey).update(entry.key, 'utf8').digest('base64url').slice(0, 22);
      const account: KeyAccount = { accountId: `${entry.name}:${fingerprint}`, name: entry.name, scopes: new Set(entry.scopes) };
      this.byId.set(account.accountId, account);
      this.digests.push({ digest: sha256(entry.key), account });
    }
  }

  get size(): number {
    return this.digests.length;
  }

  find(accountId: string): KeyAccount | undefined {
    return this.byId.get(accountId);
  }

  /** Security: compared as SHA-256 digests with timingSafeEqual against every key, as for Bearer keys. */
  match(presented: string): KeyAccount | undefined {
    const digest = sha256(presented);
    let found: KeyAccount | undefined;
    for (const entry of this.digests) if (timingSafeEqual(digest, entry.digest) && !found) found = entry.account;
    return found;
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

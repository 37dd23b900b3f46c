import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyEntry } from '../config/auth.js';
import type { Caller, Scope } from '../core/caller.js';
import type { AuthResult, Authenticator } from './authenticator.js';

interface StoredKey {
  name: string;
  digest: Buffer;
  scopes: ReadonlySet<Scope>;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Security: keys are kept only as SHA-256 digests and compared with timingSafeEqual over
 * equal-length digests, against every key, so neither the key nor its position leaks by timing.
 */
export class ApiKeyAuthenticator implements Authenticator {
  readonly kind = 'api_key' as const;
  private readonly keys: StoredKey[];

  constructor(entries: ApiKeyEntry[]) {
    this.keys = entries.map((e) => ({ name: e.name, digest: digest(e.key), scopes: new Set(e.scopes) }));
  }

  get size(): number {
    return this.keys.length;
  }

  async authenticate(token: string): Promise<AuthResult | undefined> {
    const presented = digest(token);
    let match: StoredKey | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(presented, key.digest) && !match) match = key;
    }
    if (!match) return undefined;
    const caller: Caller = { id: `key:${match.name}`, name: match.name, scopes: match.scopes, via: 'api_key' };
    return { ok: true, caller };
  }
}

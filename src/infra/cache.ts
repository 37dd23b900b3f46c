import NodeCache from 'node-cache';

/**
 * Result cache in front of cacheable read operations. Entries carry tags; a write invalidates tags.
 * The in-process implementation is the default; with Redis, invalidations are also published to
 * every replica (see infra/redisInvalidation.ts) before the write's reply is sent.
 */
export interface ResultCache {
  get(key: string): Promise<unknown | undefined>;
  set(key: string, value: unknown, ttlMs: number, tags: string[]): Promise<void>;
  /** Evicts every entry carrying any of these tags (here and, when shared, on every replica). */
  invalidate(tags: string[]): Promise<void>;
  close?(): Promise<void>;
}

/** node-cache with a tag index and a bound on entries. */
export class MemoryCache implements ResultCache {
  private readonly cache: NodeCache;
  private readonly tagIndex = new Map<string, Set<string>>();
  private readonly keyTags = new Map<string, string[]>();

  constructor(private readonly maxEntries: number) {
    this.cache = new NodeCache({ stdTTL: 0, checkperiod: 60, useClones: false, maxKeys: -1 });
    this.cache.on('del', (key: string) => this.forget(key));
    this.cache.on('expired', (key: string) => this.forget(key));
  }

  async get(key: string): Promise<unknown | undefined> {
    return this.cache.get(key);
  }

  async set(key: string, value: unknown, ttlMs: number, tags: string[]): Promise<void> {
    if (this.maxEntries <= 0 || ttlMs <= 0) return;
    if (!this.cache.has(key) && this.cache.keys().length >= this.maxEntries) {
      // Bounded memory: drop the oldest inserted key (Map preserves insertion order).
      const oldest = this.keyTags.keys().next().value;
      if (oldest !== undefined) this.cache.del(oldest);
    }
    this.forget(key);
    this.cache.set(key, value, Math.max(1, Math.ceil(ttlMs / 1000)));
    this.keyTags.set(key, tags);
    for (const tag of tags) {
      let keys = this.tagIndex.get(tag);
      if (!keys) this.tagIndex.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  async invalidate(tags: string[]): Promise<void> {
    this.invalidateLocal(tags);
  }

  /** Used by the cross-replica bus to apply a remote invalidation. */
  invalidateLocal(tags: string[]): void {
    for (const tag of tags) {
      const keys = this.tagIndex.get(tag);
      if (!keys) continue;
      for (const key of [...keys]) this.cache.del(key);
    }
  }

  get size(): number {
    return this.cache.keys().length;
  }

  async close(): Promise<void> {
    this.cache.close();
  }

  private forget(key: string): void {
    const tags = this.keyTags.get(key);
    if (!tags) return;
    this.keyTags.delete(key);
    for (const tag of tags) {
      const keys = this.tagIndex.get(tag);
      keys?.delete(key);
      if (keys && keys.size === 0) this.tagIndex.delete(tag);
    }
  }
}

import NodeCache from 'node-cache';

/**
 * Result cache in front of cacheable read operations. Entries carry tags; a write invalidates tags.
 * The in-process implementation is the default; with Redis (infra/sharedCache.ts) every replica
 * checks an entry's tag generations in Redis before serving it.
 *
 * A miss hands back a fill token taken when the read began. `set` stores the result only if no
 * tag it depends on was invalidated since then: a read that overlapped a write may have seen the
 * old data, and caching it would serve that stale data after the write has returned.
 */
export type CacheLookup = { hit: true; value: unknown } | { hit: false; fill?: unknown };

export interface ResultCache {
  get(key: string): Promise<CacheLookup>;
  /** Stores a result; `fill` is the token the miss returned (omitted = store unconditionally). */
  set(key: string, value: unknown, ttlMs: number, tags: string[], fill?: unknown): Promise<void>;
  /** Evicts every entry carrying any of these tags (here and, when shared, on every replica). */
  invalidate(tags: string[]): Promise<void>;
  close?(): Promise<void>;
}

/** Bound on remembered tag generations; past it, every fill older than now is refused instead. */
const MAX_TRACKED_TAGS = 10_000;

/** node-cache with a tag index and a bound on entries. */
export class MemoryCache implements ResultCache {
  private readonly cache: NodeCache;
  private readonly tagIndex = new Map<string, Set<string>>();
  private readonly keyTags = new Map<string, string[]>();
  /** Invalidation sequence, and the sequence at which each tag was last invalidated. */
  private seq = 0;
  private readonly tagGenerations = new Map<string, number>();
  /** Fills that began at or before this sequence are refused (set when the tag map is reset). */
  private floor = 0;

  constructor(private readonly maxEntries: number) {
    this.cache = new NodeCache({ stdTTL: 0, checkperiod: 60, useClones: false, maxKeys: -1 });
    this.cache.on('del', (key: string) => this.forget(key));
    this.cache.on('expired', (key: string) => this.forget(key));
  }

  async get(key: string): Promise<CacheLookup> {
    const value = this.cache.get(key);
    return value === undefined ? { hit: false, fill: this.seq } : { hit: true, value };
  }

  async set(key: string, value: unknown, ttlMs: number, tags: string[], fill?: unknown): Promise<void> {
    if (this.maxEntries <= 0 || ttlMs <= 0) return;
    if (typeof fill === 'number' && (fill < this.floor || tags.some((tag) => (this.tagGenerations.get(tag) ?? 0) > fill))) return;
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
    this.seq++;
    if (this.tagGenerations.size + tags.length > MAX_TRACKED_TAGS) {
      this.tagGenerations.clear();
      this.floor = this.seq;
    }
    for (const tag of tags) this.tagGenerations.set(tag, this.seq);
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

import type { Logger } from 'winston';
import type { ScaleConfig } from '../config/scale.js';
import { MemoryCache, type CacheLookup, type ResultCache } from './cache.js';
import type { RedisHandle } from './redis.js';

/**
 * Cross-replica invalidation by per-tag generation counters in Redis.
 *
 * Why not pub/sub: a publish returns when Redis has queued the message, not when every replica
 * has applied it, so a write's reply could overtake the invalidation and another replica could
 * still serve the stale entry. Acknowledged pub/sub would need to know every live replica and
 * wait for the slowest. Generations make the check synchronous instead: an invalidation is a
 * single atomic script (done before the write's reply), and a replica serves a local entry only
 * after one MGET shows every tag it depends on still has the generation it was filled under.
 *
 * Generations come from one global sequence (`seq`), so a read can snapshot "now" before it
 * knows its tags (the executor calls get() before the handler and set() after). A fill is kept
 * only if no tag moved past that snapshot, which closes the race where a read that began before a
 * write finishes after it and would otherwise cache pre-write data. The snapshot travels from
 * get() to set() as the miss's fill token, so overlapping reads never use each other's.
 *
 * During a Redis outage reads bypass the cache (nothing can be validated) and invalidations are
 * local. Entries filled under an earlier connection are never served again (a restarted Redis
 * restarts its counters, so old generation values can reappear), and a replica that missed
 * publishing an invalidation bumps the `all` generation, which every entry depends on, as soon as
 * Redis answers again. Left open: while only the writer is cut off from Redis, replicas that
 * still reach it may serve entries the write made stale, until it reconnects or the entry's TTL
 * ends.
 *
 * Generations that vanish (eviction, FLUSHDB) count as changed, and a lost sequence restarts from
 * the clock, above every value it handed out before.
 */
interface Entry {
  value: unknown;
  /** Generations of [all, ...tags] when the entry was filled. */
  gens: string[];
  epoch: number;
  tags: string[];
}

/** What a call's get() learned, handed to that same call's set() as the fill token. */
interface Fill {
  key: string;
  /** The sequence when the read began. */
  seq: number;
  epoch: number;
}

const ALL = '*all*';
/** Local tag every entry carries, so a reconnect can drop them all at once. */
const LOCAL_ALL = '\u0000all';
/** Generations outlive every entry that depends on them (entries are capped at half this). */
const GEN_TTL_MS = 24 * 3_600_000;

// A missing sequence (new or flushed Redis) starts from the clock, in microseconds, so it never
// repeats values handed out before the flush.
const START_SEQUENCE = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end`;

// "Now", for a read that is about to run.
const SNAPSHOT = `${START_SEQUENCE}
return redis.call('GET', KEYS[1])`;

// Bump the sequence and stamp every tag with it, atomically.
const INVALIDATE = `${START_SEQUENCE}
local s = redis.call('INCR', KEYS[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], s, 'PX', ARGV[2]) end
return s`;

// Read the generations a fill depends on. A tag that has none (never invalidated, or evicted)
// gets the current sequence: an evicted generation must never come back as an older value.
const FILL = `${START_SEQUENCE}
local s = redis.call('GET', KEYS[1])
local out = {}
for i = 2, #KEYS do
  local g = redis.call('GET', KEYS[i])
  if g then redis.call('PEXPIRE', KEYS[i], ARGV[2]) else g = s; redis.call('SET', KEYS[i], g, 'PX', ARGV[2]) end
  out[#out + 1] = g
end
return out`;

export class SharedCache implements ResultCache {
  private readonly local: MemoryCache;
  /** Invalidations that could not be shared; non-zero means an `all` bump is owed. */
  private unshared = 0;
  private readonly stopListening: () => void;

  constructor(
    private readonly redis: RedisHandle,
    maxEntries: number,
    private readonly logger: Logger,
  ) {
    this.local = new MemoryCache(maxEntries);
    this.stopListening = redis.onReady(() => void this.onReconnect());
  }

  async get(key: string): Promise<CacheLookup> {
    const local = await this.local.get(key);
    const entry = local.hit ? (local.value as Entry) : undefined;
    if (!(await this.redis.ready())) return { hit: false };
    if (this.unshared > 0) void this.payDebt();
    const epoch = this.redis.epoch();
    try {
      if (entry && entry.epoch === epoch) {
        const current = await this.redis.bounded(this.redis.client.mget(this.seqKey(), ...this.genKeys(entry.tags)));
        if (sameGenerations(current.slice(1), entry.gens)) return { hit: true, value: entry.value };
        return { hit: false, fill: { key, seq: Number(current[0] ?? 0), epoch } satisfies Fill };
      }
      const seq = await this.redis.bounded(this.redis.client.eval(SNAPSHOT, 1, this.seqKey(), sequenceStart()));
      return { hit: false, fill: { key, seq: Number(seq), epoch } satisfies Fill };
    } catch (error) {
      this.warn('cache read skipped', error);
    }
    return { hit: false };
  }

  async set(key: string, value: unknown, ttlMs: number, tags: string[], token?: unknown): Promise<void> {
    const fill = token as Fill | undefined;
    const seq = fill?.key === key ? fill.seq : undefined;
    // Without the snapshot of its own read nothing proves this result is not stale: do not cache it.
    if (seq === undefined || fill!.epoch !== this.redis.epoch() || !this.redis.isReady() || ttlMs <= 0) return;
    const keys = [this.seqKey(), ...this.genKeys(tags)];
    let gens: string[];
    try {
      gens = (await this.redis.bounded(this.redis.client.eval(FILL, keys.length, ...keys, sequenceStart(), GEN_TTL_MS))) as string[];
    } catch (error) {
      this.warn('cache fill skipped', error);
      return;
    }
    // A write to one of these tags landed after this read began: its result may predate the write.
    if (gens.some((g) => Number(g) > seq)) return;
    const entry: Entry = { value, gens: gens.map(String), epoch: fill!.epoch, tags };
    await this.local.set(key, entry, Math.min(ttlMs, GEN_TTL_MS / 2), [...tags, LOCAL_ALL]);
  }

  async invalidate(tags: string[]): Promise<void> {
    this.local.invalidateLocal(tags);
    if (tags.length === 0) return;
    const owed = this.unshared;
    if (await this.publish(owed > 0 ? [...tags, ALL] : tags)) {
      this.settle(owed);
    } else {
      // Other replicas cannot hear about this write until Redis answers again; then everything goes.
      this.unshared += 1;
    }
  }

  async close(): Promise<void> {
    this.stopListening();
    await this.local.close();
  }

  /** Entries cached locally (for tests and metrics). */
  get size(): number {
    return this.local.size;
  }

  private async publish(tags: string[]): Promise<boolean> {
    if (!this.redis.isReady()) return false;
    const keys = [this.seqKey(), ...this.tagKeys(tags)];
    try {
      await this.redis.bounded(this.redis.client.eval(INVALIDATE, keys.length, ...keys, sequenceStart(), GEN_TTL_MS));
      return true;
    } catch (error) {
      this.warn('cache invalidation not shared', error);
      return false;
    }
  }

  private async onReconnect(): Promise<void> {
    // Entries validated against the old connection may predate a Redis restart or a missed write.
    this.local.invalidateLocal([LOCAL_ALL]);
    await this.payDebt();
  }

  private paying?: Promise<void>;

  private payDebt(): Promise<void> {
    this.paying ??= (async () => {
      const owed = this.unshared;
      if (owed > 0 && (await this.publish([ALL]))) this.settle(owed);
    })().finally(() => {
      this.paying = undefined;
    });
    return this.paying;
  }

  /** Only the failures that happened before the `all` bump was sent are paid by it. */
  private settle(paid: number): void {
    this.unshared = Math.max(0, this.unshared - paid);
  }

  private seqKey(): string {
    return `${this.redis.prefix}{cache}:seq`;
  }

  /** Generation keys an entry depends on: the `all` generation, then one per tag. */
  private genKeys(tags: string[]): string[] {
    return this.tagKeys([ALL, ...tags]);
  }

  private tagKeys(tags: string[]): string[] {
    return tags.map((tag) => `${this.redis.prefix}{cache}:gen:${tag}`);
  }

  private warn(message: string, error: unknown): void {
    this.logger.debug(message, { error: error instanceof Error ? error.message : String(error) });
  }
}

function sequenceStart(): string {
  return String(Date.now() * 1000);
}

function sameGenerations(current: (string | null)[], stored: string[]): boolean {
  return current.length === stored.length && current.every((g, i) => g !== null && g === stored[i]);
}

/** The result cache for this process: validated through Redis when configured, in-process otherwise. */
export function createResultCache(scale: ScaleConfig, logger: Logger, redis?: RedisHandle): ResultCache {
  return redis ? new SharedCache(redis, scale.cacheMaxEntries, logger) : new MemoryCache(scale.cacheMaxEntries);
}

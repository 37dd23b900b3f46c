import type { Redis } from 'ioredis';
import type { RedisHandle } from '../../infra/redis.js';
import { GRANTABLE, type OAuthStore, type StoredModel } from './store.js';

/** Models listed or counted (the tokens command, the OAUTH_MAX_CLIENTS cap). */
const INDEXED = new Set(['Client', 'Grant']);

/**
 * The store in Redis (REDIS_URL), so every replica behind one URL is the same authorization server:
 * a token issued by one is accepted by another, and a revocation on one is seen by all at once.
 * Each entry is a hash (payload, consumed) with the model's own TTL; a grant keeps a set of the
 * keys issued under it, which revokeByGrantId deletes together.
 */
export class RedisOAuthStore implements OAuthStore {
  private readonly client: Redis;
  private readonly prefix: string;

  constructor(private readonly handle: RedisHandle) {
    this.client = handle.client;
    this.prefix = `${handle.prefix}oauth:`;
  }

  private key(model: string, id: string): string {
    return `${this.prefix}${model}:${id}`;
  }

  async upsert(model: string, id: string, payload: Record<string, unknown>, expiresInSec: number | undefined): Promise<void> {
    const key = this.key(model, id);
    const multi = this.client.multi().del(key).hset(key, 'payload', JSON.stringify(payload));
    if (expiresInSec !== undefined) multi.expire(key, Math.max(1, expiresInSec));
    const grantId = typeof payload.grantId === 'string' ? payload.grantId : undefined;
    if (GRANTABLE.has(model) && grantId) {
      const grantKey = `${this.prefix}grant:${grantId}`;
      multi.sadd(grantKey, key);
      if (expiresInSec !== undefined) {
        // The index lives as long as its longest-lived member.
        const ttl = await this.client.ttl(grantKey);
        if (ttl < expiresInSec) multi.expire(grantKey, Math.max(1, expiresInSec));
      }
    }
    if (typeof payload.uid === 'string') {
      multi.set(`${this.prefix}uid:${model}:${payload.uid}`, id);
      if (expiresInSec !== undefined) multi.expire(`${this.prefix}uid:${model}:${payload.uid}`, Math.max(1, expiresInSec));
    }
    if (typeof payload.userCode === 'string') {
      multi.set(`${this.prefix}userCode:${model}:${payload.userCode}`, id);
      if (expiresInSec !== undefined) multi.expire(`${this.prefix}userCode:${model}:${payload.userCode}`, Math.max(1, expiresInSec));
    }
    if (INDEXED.has(model)) multi.sadd(`${this.prefix}index:${model}`, id);
    await this.handle.bounded(multi.exec());
  }

  async find(model: string, id: string): Promise<Record<string, unknown> | undefined> {
    const entry = await this.handle.bounded(this.client.hgetall(this.key(model, id)));
    if (!entry?.payload) return undefined;
    const payload = JSON.parse(entry.payload) as Record<string, unknown>;
    if (entry.consumed) payload.consumed = Number(entry.consumed);
    return payload;
  }

  async findByUid(model: string, uid: string) {
    const id = await this.handle.bounded(this.client.get(`${this.prefix}uid:${model}:${uid}`));
    return id ? this.find(model, id) : undefined;
  }

  async findByUserCode(model: string, userCode: string) {
    const id = await this.handle.bounded(this.client.get(`${this.prefix}userCode:${model}:${userCode}`));
    return id ? this.find(model, id) : undefined;
  }

  async consume(model: string, id: string): Promise<void> {
    // HSET on an existing hash keeps its TTL; on a missing key it must not create one.
    const key = this.key(model, id);
    await this.handle.bounded(
      this.client.eval(
        "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'consumed', ARGV[1]) end return 1",
        1,
        key,
        String(Math.floor(Date.now() / 1000)),
      ),
    );
  }

  async destroy(model: string, id: string): Promise<void> {
    const multi = this.client.multi().del(this.key(model, id));
    if (INDEXED.has(model)) multi.srem(`${this.prefix}index:${model}`, id);
    await this.handle.bounded(multi.exec());
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const grantKey = `${this.prefix}grant:${grantId}`;
    const keys = await this.handle.bounded(this.client.smembers(grantKey));
    const multi = this.client.multi();
    for (const key of keys) multi.del(key);
    multi.del(grantKey);
    await this.handle.bounded(multi.exec());
  }

  private async liveIds(model: string): Promise<string[]> {
    const indexKey = `${this.prefix}index:${model}`;
    const ids = (await this.handle.bounded(this.client.smembers(indexKey))).sort();
    if (ids.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const id of ids) pipeline.exists(this.key(model, id));
    const exists = (await this.handle.bounded(pipeline.exec())) ?? [];
    const gone = ids.filter((_, i) => exists[i]?.[1] === 0);
    if (gone.length > 0) await this.handle.bounded(this.client.srem(indexKey, ...gone));
    return ids.filter((_, i) => exists[i]?.[1] !== 0);
  }

  async list(model: string): Promise<StoredModel[]> {
    const rows: StoredModel[] = [];
    for (const id of await this.liveIds(model)) {
      const payload = await this.find(model, id);
      if (!payload) continue;
      const ttl = await this.handle.bounded(this.client.ttl(this.key(model, id)));
      rows.push({ model, id, payload, expiresAt: ttl > 0 ? Math.floor(Date.now() / 1000) + ttl : undefined });
    }
    return rows;
  }

  async count(model: string): Promise<number> {
    return (await this.liveIds(model)).length;
  }

  async getOrCreateSecret(id: string, create: () => Promise<string>): Promise<string> {
    const key = `${this.prefix}secret:${id}`;
    const existing = await this.handle.bounded(this.client.get(key));
    if (existing) return existing;
    await this.handle.bounded(this.client.set(key, await create(), 'NX'));
    return (await this.handle.bounded(this.client.get(key)))!;
  }

  async close(): Promise<void> {
    await this.handle.release();
  }
}

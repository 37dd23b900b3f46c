import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ToolError } from '../../src/core/errors.js';
import { createSilentLogger } from '../../src/infra/logger.js';
import { acquireRedis, type RedisHandle } from '../../src/infra/redis.js';
import type { SessionStore } from '../../src/infra/sessionStore.js';
import { MemorySessionStore } from '../../src/infra/sessionStoreMemory.js';
import { RedisSessionStore } from '../../src/infra/sessionStoreRedis.js';
import { captureLogger } from './helpers/captureLogger.js';
import { privateRedis } from './helpers/privateRedis.js';
import { REDIS_URL, describeWithRedis, describeWithRedisServer, dropPrefix, freePort, uniquePrefix } from './helpers/services.js';

const limits = { ttlMs: 60_000, maxKeys: 3 };
let alice = { owner: 'key:alice', id: 'work' };
let mallory = { owner: 'key:mallory', id: 'work' };
let run = 0;
/** Fresh session ids per test, so stores that outlive a test (Redis) start clean. */
function freshRefs(): void {
  run += 1;
  alice = { owner: 'key:alice', id: `work-${run}` };
  mallory = { owner: 'key:mallory', id: `work-${run}` };
}

async function toolErrorOf(promise: Promise<unknown>): Promise<ToolError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ToolError) return error;
    throw error;
  }
  throw new Error('expected a ToolError');
}

/** The behaviour every store must have, whatever it keeps its data in. */
function storeContract(
  name: string,
  make: () => SessionStore | Promise<SessionStore>,
  describeFn: (name: string, body: () => void) => void = describe,
) {
  describeFn(`${name} session store`, () => {
    let store: SessionStore;
    beforeEach(freshRefs);
    afterEach(async () => {
      await store?.close();
    });

    it('creates a session on first write and reads it back, sorted by key', async () => {
      store = await make();
      expect(await store.get(alice)).toBeUndefined();
      const first = await store.set(alice, 'b', '"two"');
      expect(first).toMatchObject({ created: true, keyCount: 1 });
      const second = await store.set(alice, 'a', '1');
      expect(second).toMatchObject({ created: false, keyCount: 2 });
      const snapshot = await store.get(alice);
      expect(snapshot?.entries).toEqual([
        ['a', '1'],
        ['b', '"two"'],
      ]);
      expect(snapshot?.keyCount).toBe(2);
      expect(snapshot!.expiresAt).toBeGreaterThan(Date.now());
      expect((await store.get(alice, ['b', 'missing']))?.entries).toEqual([['b', '"two"']]);
    });

    it('keeps another caller presenting the same id out: it sees nothing and changes nothing', async () => {
      store = await make();
      await store.set(alice, 'secret', '"mine"');
      // Security: same session id, different owner.
      expect(await store.get(mallory)).toBeUndefined();
      expect(await store.delete(mallory, 'secret')).toBeUndefined();
      expect(await store.end(mallory)).toBe(false);
      const written = await store.set(mallory, 'secret', '"overwritten?"');
      expect(written.created).toBe(true);
      expect((await store.get(alice))?.entries).toEqual([['secret', '"mine"']]);
      expect((await store.get(mallory))?.entries).toEqual([['secret', '"overwritten?"']]);
    });

    it('stores keys like __proto__ and constructor as plain strings', async () => {
      store = await make();
      for (const key of ['__proto__', 'constructor', 'hasOwnProperty']) await store.set(alice, key, JSON.stringify({ polluted: key }));
      expect((await store.get(alice))?.entries).toEqual([
        ['__proto__', '{"polluted":"__proto__"}'],
        ['constructor', '{"polluted":"constructor"}'],
        ['hasOwnProperty', '{"polluted":"hasOwnProperty"}'],
      ]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('refuses a key past the maximum but still lets existing keys change', async () => {
      store = await make();
      for (const key of ['a', 'b', 'c']) await store.set(alice, key, '1');
      const error = await toolErrorOf(store.set(alice, 'd', '1'));
      expect(error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(error.message).toMatch(/3 keys/);
      await store.set(alice, 'a', '2');
      expect((await store.get(alice))?.keyCount).toBe(3);
    });

    it('deletes keys and ends sessions without creating any', async () => {
      store = await make();
      expect(await store.delete(alice, 'x')).toBeUndefined();
      expect(await store.get(alice)).toBeUndefined();
      await store.set(alice, 'x', '1');
      expect(await store.delete(alice, 'x')).toMatchObject({ deleted: true, keyCount: 0 });
      expect(await store.delete(alice, 'x')).toMatchObject({ deleted: false, keyCount: 0 });
      expect(await store.end(alice)).toBe(true);
      expect(await store.end(alice)).toBe(false);
      expect(await store.get(alice)).toBeUndefined();
    });
  });
}

storeContract('in-memory', () => new MemorySessionStore({ ...limits, maxSessions: 100 }));

describe('in-memory session store bounds', () => {
  it('expires a session TTL after its last write, and each write pushes that back', async () => {
    let now = 1_000_000;
    const store = new MemorySessionStore({ ttlMs: 1000, maxKeys: 10, maxSessions: 10 }, () => now);
    await store.set(alice, 'a', '1');
    now += 900;
    await store.set(alice, 'b', '1');
    now += 900;
    expect((await store.get(alice))?.keyCount).toBe(2);
    now += 200;
    expect(await store.get(alice)).toBeUndefined();
    await store.close();
  });

  it('drops the least recently written session past the session bound', async () => {
    const store = new MemorySessionStore({ ttlMs: 60_000, maxKeys: 10, maxSessions: 2 });
    await store.set({ owner: 'o', id: '1' }, 'k', '1');
    await store.set({ owner: 'o', id: '2' }, 'k', '1');
    await store.set({ owner: 'o', id: '1' }, 'k', '2');
    await store.set({ owner: 'o', id: '3' }, 'k', '1');
    expect(await store.get({ owner: 'o', id: '2' })).toBeUndefined();
    expect(await store.get({ owner: 'o', id: '1' })).toBeDefined();
    expect(await store.get({ owner: 'o', id: '3' })).toBeDefined();
    await store.close();
  });
});

describeWithRedis('redis session store', () => {
  const prefix = uniquePrefix('sessions');
  let redis: RedisHandle;
  beforeAll(() => {
    redis = acquireRedis({ redisUrl: new URL(REDIS_URL), redisPrefix: prefix, redisTimeoutMs: 500 }, createSilentLogger());
  });
  afterAll(async () => {
    await redis?.release();
    await dropPrefix(REDIS_URL, prefix);
  });

  storeContract('redis', () => new RedisSessionStore(redis, limits));

  it('refreshes the TTL on every write, on both halves of the session', async () => {
    const own = acquireRedis({ redisUrl: new URL(REDIS_URL), redisPrefix: `${prefix}ttl:`, redisTimeoutMs: 500 }, createSilentLogger());
    const store = new RedisSessionStore(own, { ttlMs: 5000, maxKeys: 10 });
    const ref = { owner: 'key:ttl', id: 's' };
    await store.set(ref, 'a', '1');
    const keys = await own.client.keys(`${prefix}ttl:*`);
    expect(keys).toHaveLength(2);
    for (const key of keys) await own.client.pexpire(key, 100);
    await store.set(ref, 'b', '1');
    for (const key of keys) expect(await own.client.pttl(key)).toBeGreaterThan(4000);
    await store.end(ref);
    await own.release();
  });

  it('keeps no owner or session id in clear in the key names', async () => {
    const store = new RedisSessionStore(redis, limits);
    await store.set({ owner: 'key:visible-owner', id: 'visible-id' }, 'a', '1');
    const keys = await redis.client.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toMatch(/visible/);
    await store.end({ owner: 'key:visible-owner', id: 'visible-id' });
  });
});

describeWithRedisServer('redis session store during an outage', () => {
  it('answers UNAVAILABLE at once (no in-memory stand-in) and works again when Redis is back', async () => {
    const server = await privateRedis();
    const log = captureLogger();
    const redis = acquireRedis({ redisUrl: new URL(server.url), redisPrefix: 'outage:', redisTimeoutMs: 300 }, log.logger);
    const store = new RedisSessionStore(redis, limits);
    try {
      await store.set(alice, 'a', '1');
      await server.stop();
      await log.waitFor('redis down');
      const started = performance.now();
      for (const attempt of [store.get(alice), store.set(alice, 'b', '1'), store.delete(alice, 'a'), store.end(alice)]) {
        const error = await toolErrorOf(attempt);
        expect(error.code).toBe('UNAVAILABLE');
        expect(error.message).toMatch(/Retry in a few seconds/);
      }
      expect(performance.now() - started).toBeLessThan(1000);
      await server.start();
      await log.waitFor('redis back');
      await store.set(alice, 'b', '1');
      expect((await store.get(alice))?.entries).toEqual([['b', '1']]);
    } finally {
      await redis.release();
      await server.stop();
    }
  });

  it('answers UNAVAILABLE within the time limit when Redis never answered at all', async () => {
    const port = await freePort();
    const redis = acquireRedis(
      { redisUrl: new URL(`redis://127.0.0.1:${port}`), redisPrefix: 'none:', redisTimeoutMs: 300 },
      createSilentLogger(),
    );
    const store = new RedisSessionStore(redis, limits);
    const started = performance.now();
    expect((await toolErrorOf(store.get(alice))).code).toBe('UNAVAILABLE');
    expect(performance.now() - started).toBeLessThan(1500);
    await redis.release();
  });
});

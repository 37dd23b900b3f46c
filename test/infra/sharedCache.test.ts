import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Caller } from '../../src/core/caller.js';
import type { CallContext } from '../../src/core/context.js';
import { Executor } from '../../src/core/executor.js';
import { READ_ONLY, type ToolOperation } from '../../src/core/operation.js';
import { Registry } from '../../src/core/registry.js';
import { createSilentLogger } from '../../src/infra/logger.js';
import { acquireRedis, type RedisHandle } from '../../src/infra/redis.js';
import { SharedCache } from '../../src/infra/sharedCache.js';
import { captureLogger } from './helpers/captureLogger.js';
import { privateRedis, type PrivateRedis } from './helpers/privateRedis.js';
import { REDIS_URL, describeWithRedis, describeWithRedisServer, dropPrefix, uniquePrefix } from './helpers/services.js';
import { tcpProxy, type TcpProxy } from './helpers/tcpProxy.js';
import { connectClient, envelope, postJson, startServer } from '../helpers/server.js';
import { createTestTool } from '../helpers/testTools.js';

/** Stands in for the data a tool reads and writes (a file, a table) that every replica shares. */
interface Store {
  notes: Record<string, string>;
  /** When set, a read calls `started` once it has its value, then waits for `release`. */
  hold?: { started: () => void; release: Promise<void> };
}

const caller: Caller = { id: 'key:test', name: 'test', scopes: new Set(['read', 'write']), via: 'api_key' };
const logger = createSilentLogger();

function operations(store: Store): ToolOperation[] {
  return [
    {
      tool: 'note',
      operation: 'read',
      mcpName: 'note_read',
      title: 'Read',
      description: 'Reads a note.',
      inputSchema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } }, additionalProperties: false },
      outputSchema: { type: 'object', properties: { text: { type: 'string' } } },
      annotations: READ_ONLY,
      scope: 'read',
      cache: { ttlMs: 60_000, tags: ({ name }: { name: string }) => [`note:${name}`] },
      handler: async ({ name }: { name: string }) => {
        const text = store.notes[name] ?? '';
        const hold = store.hold;
        if (hold) {
          store.hold = undefined;
          hold.started();
          await hold.release;
        }
        return { text };
      },
    },
    {
      tool: 'note',
      operation: 'write',
      mcpName: 'note_write',
      title: 'Write',
      description: 'Writes a note.',
      inputSchema: {
        type: 'object',
        required: ['name', 'text'],
        properties: { name: { type: 'string' }, text: { type: 'string' } },
        additionalProperties: false,
      },
      outputSchema: { type: 'object', properties: {} },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      scope: 'write',
      invalidates: ({ name }: { name: string }) => [`note:${name}`],
      handler: async ({ name, text }: { name: string; text: string }) => {
        store.notes[name] = text;
        return {};
      },
    },
  ];
}

/** One "replica": its own in-process cache in front of the shared store, validated through Redis. */
function replica(redis: RedisHandle, store: Store) {
  const cache = new SharedCache(redis, 100, logger);
  const registry = new Registry(operations(store));
  const executor = new Executor({ cache, defaultTimeoutMs: 5000, logger });
  const ctx = (): CallContext => ({
    caller,
    requestId: 'r',
    dialect: 'envelope',
    signal: new AbortController().signal,
    logger,
    progress: () => {},
  });
  return {
    cache,
    read: async (name = 'a') => {
      const { result, cached } = await executor.execute(registry.byMcpName('note_read')!, { name }, ctx());
      return { text: (result as { text: string }).text, cached };
    },
    write: (text: string, name = 'a') => executor.execute(registry.byMcpName('note_write')!, { name, text }, ctx()),
  };
}

const settings = (url: string, prefix: string) => ({ redisUrl: new URL(url), redisPrefix: prefix, redisTimeoutMs: 300 });

describeWithRedis('shared cache across replicas', () => {
  const prefix = uniquePrefix('cache');
  let redis: RedisHandle;
  let store: Store;
  let a: ReturnType<typeof replica>;
  let b: ReturnType<typeof replica>;

  beforeAll(async () => {
    redis = acquireRedis(settings(REDIS_URL, prefix), logger);
    expect(await redis.ready()).toBe(true);
  });
  afterEach(async () => {
    await a?.cache.close();
    await b?.cache.close();
  });
  afterAll(async () => {
    await redis?.release();
    await dropPrefix(REDIS_URL, prefix);
  });

  const fresh = () => {
    store = { notes: { a: 'v1', b: 'other' } };
    a = replica(redis, store);
    b = replica(redis, store);
  };

  it("serves repeated reads from each replica's cache", async () => {
    fresh();
    expect(await b.read()).toEqual({ text: 'v1', cached: false });
    expect(await b.read()).toEqual({ text: 'v1', cached: true });
  });

  it('never serves a stale read on one replica after a write through another has returned', async () => {
    fresh();
    await a.read();
    await b.read();
    expect((await b.read()).cached).toBe(true);
    await a.write('v2');
    expect(await b.read()).toEqual({ text: 'v2', cached: false });
    expect(await a.read()).toEqual({ text: 'v2', cached: false });
  });

  it('keeps entries whose tags the write did not touch', async () => {
    fresh();
    await b.read('b');
    await a.write('v2', 'a');
    expect(await b.read('b')).toEqual({ text: 'other', cached: true });
  });

  it('does not cache a read that began before a write and finished after it', async () => {
    fresh();
    let release!: () => void;
    let started!: () => void;
    const readHasValue = new Promise<void>((resolve) => (started = resolve));
    store.hold = { started, release: new Promise<void>((resolve) => (release = resolve)) };
    const slowRead = b.read();
    await readHasValue;
    await a.write('v2');
    release();
    expect(await slowRead).toEqual({ text: 'v1', cached: false });
    expect(await b.read()).toEqual({ text: 'v2', cached: false });
  });

  it('never lets a later read vouch for a slow read that began before a write', async () => {
    fresh();
    const holdNextRead = () => {
      let release!: () => void;
      let started!: () => void;
      const hasValue = new Promise<void>((resolve) => (started = resolve));
      store.hold = { started, release: new Promise<void>((resolve) => (release = resolve)) };
      return { hasValue, release };
    };
    const first = holdNextRead();
    const slow = b.read();
    await first.hasValue;
    await a.write('v2');
    expect(await b.read()).toEqual({ text: 'v2', cached: false });
    // A third read: held open if it misses, so its snapshot (taken after the write) is outstanding
    // while the slow read finishes.
    const third = holdNextRead();
    const later = b.read();
    await Promise.race([third.hasValue, later]);
    store.hold = undefined;
    first.release();
    expect(await slow).toEqual({ text: 'v1', cached: false });
    third.release();
    expect((await later).text).toBe('v2');
    expect((await b.read()).text).toBe('v2');
  });

  it('treats a generation that vanished from Redis (eviction) as a change, never as the old value', async () => {
    fresh();
    await b.read();
    await a.write('v2');
    const keys = await redis.client.keys(`${redis.prefix}{cache}:gen:*`);
    await redis.client.del(...keys);
    expect(await b.read()).toEqual({ text: 'v2', cached: false });
    expect(await b.read()).toEqual({ text: 'v2', cached: true });
  });
});

describeWithRedis('shared cache in the server', () => {
  it('serves repeated reads from cache through both dialects, and drops them after a write', async () => {
    const prefix = uniquePrefix('cache-app');
    const server = await startServer({ toolFactories: [createTestTool], env: { REDIS_URL, REDIS_PREFIX: prefix } });
    try {
      const client = await connectClient(server.mcpUrl, '2025-06-18');
      const echo = async () =>
        (await client.callTool({ name: 'test_echo', arguments: { text: 'same' } })).structuredContent as { calls: number };
      const first = await echo();
      expect(await echo()).toEqual(first);
      const viaEnvelope = await postJson(server.mcpUrl, envelope('test', 'echo', { text: 'same' }));
      expect(viaEnvelope.body.metadata._cached).toBe(true);
      expect(viaEnvelope.body.content).toEqual(first);
      await client.callTool({ name: 'test_bump', arguments: {} });
      expect((await echo()).calls).toBeGreaterThan(first.calls);
      await client.close();
    } finally {
      await server.close();
      await dropPrefix(REDIS_URL, prefix);
    }
  });
});

describeWithRedisServer('shared cache when Redis goes away', () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await privateRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads bypass the cache during the outage, answer quickly, and nothing stale survives the restart', async () => {
    const log = captureLogger();
    const redis = acquireRedis(settings(server.url, uniquePrefix('outage')), log.logger);
    const store: Store = { notes: { a: 'v1' } };
    const a = replica(redis, store);
    const b = replica(redis, store);
    const c = replica(redis, store);
    await expect.poll(() => redis.isReady(), { timeout: 15_000 }).toBe(true);
    await b.read();
    expect((await b.read()).cached).toBe(true);

    await server.stop();
    await log.waitFor('redis down');
    const started = performance.now();
    expect(await b.read()).toEqual({ text: 'v1', cached: false });
    await a.write('v2');
    expect(await b.read()).toEqual({ text: 'v2', cached: false });
    expect(performance.now() - started).toBeLessThan(2000);
    // A dies before Redis returns, so nobody will announce its write later.
    await a.cache.close();

    // The restarted Redis starts from empty generations, and C's fill recreates the very values
    // B's pre-outage entry was filled under. That entry must still never be served.
    await server.start();
    await log.waitFor('redis back');
    expect(await c.read()).toEqual({ text: 'v2', cached: false });
    expect(await b.read()).toEqual({ text: 'v2', cached: false });
    expect(await b.read()).toEqual({ text: 'v2', cached: true });
    await b.cache.close();
    await c.cache.close();
    await redis.release();
  });

  it('a replica that could not share an invalidation makes every replica drop its entries once it reconnects', async () => {
    const prefix = uniquePrefix('partition');
    // A reaches Redis through a relay the test can cut; B connects directly and never notices.
    const relay: TcpProxy = await tcpProxy(server.port);
    const logA = captureLogger();
    const redisA = acquireRedis(settings(`redis://127.0.0.1:${relay.port}`, prefix), logA.logger);
    const redisB = acquireRedis(settings(server.url, prefix), logger);
    const store: Store = { notes: { a: 'v1' } };
    const a = replica(redisA, store);
    const b = replica(redisB, store);
    // ready() waits only redisTimeoutMs (300 ms) for the first connection; a loaded machine may need longer.
    await expect.poll(() => redisA.isReady() && redisB.isReady(), { timeout: 15_000 }).toBe(true);
    await b.read();
    expect((await b.read()).cached).toBe(true);

    await relay.cut();
    await logA.waitFor('redis down');
    await a.write('v2');
    await relay.restore();
    await logA.waitFor('redis back');
    // The reconnect pays the debt asynchronously; B must see fresh data as soon as it has.
    const deadline = Date.now() + 5000;
    let seen = await b.read();
    while (seen.text !== 'v2' && Date.now() < deadline) seen = await b.read();
    expect(seen).toEqual({ text: 'v2', cached: false });
    await a.cache.close();
    await b.cache.close();
    await redisA.release();
    await redisB.release();
    await relay.close();
  });
});

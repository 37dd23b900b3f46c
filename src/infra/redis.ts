import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Logger } from 'winston';
import { recordRedisError } from './metrics.js';

export interface RedisSettings {
  redisUrl: URL;
  redisPrefix: string;
  redisTimeoutMs: number;
}

/**
 * One process-wide Redis connection, shared by the rate limiter, the cache and the session tool.
 * Callers never wait for Redis to come back: while it is not ready they take their fallback at
 * once, and every command is bounded by `timeoutMs`.
 */
export interface RedisHandle {
  readonly client: Redis;
  readonly prefix: string;
  readonly timeoutMs: number;
  /** True while commands can be sent; false during an outage (commands would fail at once). */
  isReady(): boolean;
  /**
   * Like isReady(), but while the very first connection attempt is still under way it waits for it
   * (at most `timeoutMs`), so requests arriving right after startup are not treated as an outage.
   */
  ready(): Promise<boolean>;
  /**
   * Bumped every time the connection becomes ready. Anything derived from Redis under an older
   * epoch may predate a restart or a missed write, so consumers discard it.
   */
  epoch(): number;
  /** Called on every (re)connection, after the epoch is bumped. Returns an unsubscribe function. */
  onReady(listener: () => void): () => void;
  /** Resolves with the promise, or rejects once the time limit passes (Redis must never hold a request). */
  bounded<T>(work: Promise<T>): Promise<T>;
  /** Gives this lease back; the connection closes when the last lease is released. */
  release(): Promise<void>;
}

interface Shared {
  client: Redis;
  leases: number;
  epoch: number;
  listeners: Set<() => void>;
  closing: boolean;
  /** Resolves when the first connection attempt has succeeded or failed. */
  settled: Promise<void>;
}

// Tool factories only receive configuration, so the session tool and the app would otherwise open
// separate connections; sharing one per URL means one "redis down"/"redis back" log per outage.
const connections = new Map<string, Shared>();

/** Reconnect forever, backing off to one attempt every 2 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 6), 2000);
}

function open(settings: RedisSettings, logger: Logger): Shared {
  // Loaded only when REDIS_URL is set: a single-process server never pays for the client library.
  const client = new (loadIoredis())(settings.redisUrl.href, {
    // Without an offline queue a command during an outage fails immediately instead of waiting.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: settings.redisTimeoutMs,
    connectTimeout: Math.max(1000, settings.redisTimeoutMs * 4),
    retryStrategy: reconnectDelay,
  });
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const shared: Shared = { client, leases: 0, epoch: 0, listeners: new Set(), closing: false, settled };
  // Security: log the host only; the URL may carry a password.
  const where = `${settings.redisUrl.hostname}:${settings.redisUrl.port || '6379'}`;
  let state: 'connecting' | 'up' | 'down' = 'connecting';
  const down = (reason: string) => {
    settle();
    if (state === 'down' || shared.closing) return;
    state = 'down';
    logger.warn('redis down', { redis: where, reason, fallback: 'in-process rate limits, no shared cache, sessions unavailable' });
  };
  // Connection errors arrive while (re)connecting; one on a healthy connection is not an outage.
  client.on('error', (error: Error) => {
    recordRedisError('connection');
    if (client.status !== 'ready') down(error.message);
  });
  client.on('close', () => down('connection closed'));
  client.on('ready', () => {
    if (state === 'down') logger.info('redis back', { redis: where });
    else logger.info('redis connected', { redis: where });
    state = 'up';
    settle();
    shared.epoch += 1;
    for (const listener of shared.listeners) {
      try {
        listener();
      } catch (error) {
        logger.warn('redis ready listener failed', { error: error instanceof Error ? error.message : String(error) });
      }
    }
  });
  return shared;
}

/** Takes a lease on the process-wide connection for these settings (opening it on first use). */
export function acquireRedis(settings: RedisSettings, logger: Logger): RedisHandle {
  const id = `${settings.redisUrl.href}\u0000${settings.redisTimeoutMs}`;
  let shared = connections.get(id);
  if (!shared) {
    shared = open(settings, logger);
    connections.set(id, shared);
  }
  shared.leases += 1;
  const conn = shared;
  const mine = new Set<() => void>();
  let released = false;
  const isReady = () => conn.client.status === 'ready';

  return {
    client: conn.client,
    prefix: settings.redisPrefix,
    timeoutMs: settings.redisTimeoutMs,
    isReady,
    async ready() {
      if (isReady()) return true;
      await bounded(conn.settled, settings.redisTimeoutMs).catch(() => undefined);
      return isReady();
    },
    epoch: () => conn.epoch,
    onReady(listener) {
      conn.listeners.add(listener);
      mine.add(listener);
      return () => {
        conn.listeners.delete(listener);
        mine.delete(listener);
      };
    },
    bounded: (work) =>
      bounded(work, settings.redisTimeoutMs).catch((error: unknown) => {
        recordRedisError('command');
        throw error;
      }),
    async release() {
      if (released) return;
      released = true;
      for (const listener of mine) conn.listeners.delete(listener);
      conn.leases -= 1;
      if (conn.leases > 0) return;
      connections.delete(id);
      conn.closing = true;
      await bounded(conn.client.quit(), settings.redisTimeoutMs).catch(() => undefined);
      conn.client.disconnect();
    },
  };
}

/** A lease on the shared connection when REDIS_URL is set; undefined runs everything in-process. */
export function acquireConfiguredRedis(
  scale: { redisUrl?: URL; redisPrefix: string; redisTimeoutMs: number },
  logger: Logger,
): RedisHandle | undefined {
  if (!scale.redisUrl) return undefined;
  return acquireRedis({ redisUrl: scale.redisUrl, redisPrefix: scale.redisPrefix, redisTimeoutMs: scale.redisTimeoutMs }, logger);
}

export function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
  });
  // The loser of the race may still reject later; that rejection is expected and ignored.
  work.catch(() => undefined);
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

function loadIoredis(): typeof Redis {
  return (createRequire(import.meta.url)('ioredis') as { Redis: typeof Redis }).Redis;
}

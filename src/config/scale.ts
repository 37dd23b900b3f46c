import { readInt, readUrl, type Env } from './env.js';

/** Shared infrastructure: Redis, rate limits, cache, sessions, batches (issue: scale-out). */
export interface ScaleConfig {
  redisUrl?: URL;
  rateLimitWindowMs: number;
  rateLimitMax: number;
  cacheMaxEntries: number;
  cacheTtlMs: number;
  sessionTtlMs: number;
  batchMaxSize: number;
  batchConcurrency: number;
}

export function parseScaleConfig(env: Env): ScaleConfig {
  return {
    redisUrl: readUrl(env, 'REDIS_URL', ['redis', 'rediss']),
    rateLimitWindowMs: readInt(env, 'RATE_LIMIT_WINDOW_MS', 60_000, 1000, 86_400_000),
    rateLimitMax: readInt(env, 'RATE_LIMIT_MAX', 60, 0, 1_000_000),
    cacheMaxEntries: readInt(env, 'CACHE_MAX_ENTRIES', 5000, 0, 10_000_000),
    cacheTtlMs: readInt(env, 'CACHE_TTL_MS', 300_000, 0, 86_400_000),
    sessionTtlMs: readInt(env, 'SESSION_TTL_MS', 86_400_000, 1000, 30 * 86_400_000),
    batchMaxSize: readInt(env, 'BATCH_MAX_SIZE', 50, 1, 10_000),
    batchConcurrency: readInt(env, 'BATCH_CONCURRENCY', 8, 1, 256),
  };
}

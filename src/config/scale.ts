import { ConfigError, readInt, readOptionalString, readString, readUrl, type Env } from './env.js';

/** A stricter limit for one tool (`database`) or one operation (`file_system.write_file`). */
export interface ToolRateLimit {
  /** `tool` or `tool.operation`, as the envelope dialect names them. */
  target: string;
  max: number;
}

/** Shared infrastructure: Redis, rate limits, cache, sessions, batches (issue: scale-out). */
export interface ScaleConfig {
  redisUrl?: URL;
  /** Prepended to every Redis key, so several deployments (or test runs) can share one Redis. */
  redisPrefix: string;
  /** Upper bound on any single Redis round trip; past it the caller falls back. */
  redisTimeoutMs: number;
  rateLimitWindowMs: number;
  /** Tool calls per caller per window (every call in a batch counts); 0 turns the call limits off. */
  rateLimitMax: number;
  /**
   * Protocol messages (everything that is not a tool call) per caller per window; 0 turns it off.
   * Defaults to 10 × RATE_LIMIT_MAX.
   */
  rateLimitProtocolMax: number;
  /**
   * Unauthenticated and failed-authentication requests per client IP per window, checked before
   * authentication (guards against key guessing); 0 turns it off. Defaults to 5 × RATE_LIMIT_MAX, so RATE_LIMIT_MAX=0 turns off both.
   */
  rateLimitIpMax: number;
  rateLimitTools: ToolRateLimit[];
  cacheMaxEntries: number;
  cacheTtlMs: number;
  sessionTtlMs: number;
  sessionMaxKeys: number;
  sessionMaxValueBytes: number;
  /** In-process session store only: the least recently written sessions are dropped past this. */
  sessionMaxSessions: number;
  batchMaxSize: number;
  batchConcurrency: number;
}

const TOOL_TARGET = /^[a-z][a-z0-9_]{0,63}(\.[a-z][a-z0-9_]{0,63})?$/;
const REDIS_PREFIX = /^[A-Za-z0-9:_.{}-]{0,64}$/;

export function parseScaleConfig(env: Env): ScaleConfig {
  const rateLimitMax = readInt(env, 'RATE_LIMIT_MAX', 60, 0, 1_000_000);
  const prefix = readString(env, 'REDIS_PREFIX', 'mcp:');
  if (!REDIS_PREFIX.test(prefix)) throw new ConfigError('REDIS_PREFIX', 'at most 64 letters, digits or :_.{}-', prefix);
  return {
    redisUrl: readUrl(env, 'REDIS_URL', ['redis', 'rediss']),
    redisPrefix: prefix,
    redisTimeoutMs: readInt(env, 'REDIS_TIMEOUT_MS', 500, 10, 60_000),
    rateLimitWindowMs: readInt(env, 'RATE_LIMIT_WINDOW_MS', 60_000, 1000, 86_400_000),
    rateLimitMax,
    rateLimitProtocolMax: readInt(env, 'RATE_LIMIT_PROTOCOL_MAX', rateLimitMax * 10, 0, 100_000_000),
    rateLimitIpMax: readInt(env, 'RATE_LIMIT_IP_MAX', rateLimitMax * 5, 0, 100_000_000),
    rateLimitTools: parseToolLimits(readOptionalString(env, 'RATE_LIMIT_TOOLS'), rateLimitMax),
    cacheMaxEntries: readInt(env, 'CACHE_MAX_ENTRIES', 5000, 0, 10_000_000),
    cacheTtlMs: readInt(env, 'CACHE_TTL_MS', 300_000, 0, 86_400_000),
    sessionTtlMs: readInt(env, 'SESSION_TTL_MS', 86_400_000, 1000, 30 * 86_400_000),
    sessionMaxKeys: readInt(env, 'SESSION_MAX_KEYS', 100, 1, 10_000),
    sessionMaxValueBytes: readInt(env, 'SESSION_MAX_VALUE_BYTES', 16_384, 16, 1024 * 1024),
    sessionMaxSessions: readInt(env, 'SESSION_MAX_SESSIONS', 10_000, 1, 10_000_000),
    batchMaxSize: readInt(env, 'BATCH_MAX_SIZE', 50, 1, 10_000),
    batchConcurrency: readInt(env, 'BATCH_CONCURRENCY', 8, 1, 256),
  };
}

/**
 * `file_system.write_file=10,database=30`. A tool limit is checked in addition to RATE_LIMIT_MAX,
 * so a value above it could never apply and is refused rather than silently ignored.
 */
export function parseToolLimits(value: string | undefined, rateLimitMax: number): ToolRateLimit[] {
  if (value === undefined) return [];
  const expected = 'a comma-separated list of tool=N or tool.operation=N (N from 1 to RATE_LIMIT_MAX)';
  const limits: ToolRateLimit[] = [];
  for (const entry of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^([^=\s]+)\s*=\s*(\d+)$/.exec(entry);
    if (!match || !TOOL_TARGET.test(match[1]!)) throw new ConfigError('RATE_LIMIT_TOOLS', expected, entry);
    const max = Number(match[2]);
    if (max < 1 || (rateLimitMax > 0 && max > rateLimitMax)) throw new ConfigError('RATE_LIMIT_TOOLS', expected, entry);
    if (limits.some((l) => l.target === match[1])) throw new ConfigError('RATE_LIMIT_TOOLS', `${expected}, each target once`, entry);
    limits.push({ target: match[1]!, max });
  }
  return limits;
}

import type { Logger } from 'winston';
import type { ScaleConfig } from '../config/scale.js';
import { acquireConfiguredRedis } from './redis.js';
import type { SessionStore } from './sessionStore.js';
import { MemorySessionStore } from './sessionStoreMemory.js';
import { RedisSessionStore } from './sessionStoreRedis.js';

/** Sessions in Redis when REDIS_URL is set (shared by every replica), in this process otherwise. */
export function createSessionStore(scale: ScaleConfig, logger: Logger): SessionStore {
  const limits = { ttlMs: scale.sessionTtlMs, maxKeys: scale.sessionMaxKeys };
  const redis = acquireConfiguredRedis(scale, logger);
  if (!redis) return new MemorySessionStore({ ...limits, maxSessions: scale.sessionMaxSessions });
  return new RedisSessionStore(redis, limits, true);
}

import type { Logger } from 'winston';
import type { Config } from '../../config/index.js';
import { acquireConfiguredRedis } from '../../infra/redis.js';
import { PostgresOAuthStore } from './postgresStore.js';
import { RedisOAuthStore } from './redisStore.js';
import { SqliteOAuthStore } from './sqliteStore.js';
import type { OAuthStore } from './store.js';

/**
 * The authorization server's store for this configuration (OAUTH_STORE): Redis when REDIS_URL is
 * set (replicas share one authorization server), else a SQLite file in DATA_DIR.
 */
export async function openOAuthStore(config: Config, logger: Logger): Promise<OAuthStore> {
  if (config.oauth.builtin?.store === 'redis') {
    const handle = acquireConfiguredRedis(config.scale, logger)!;
    if (!(await handle.ready())) {
      await handle.release();
      throw new Error(
        `OAUTH_STORE=redis: Redis at ${config.scale.redisUrl?.host} does not answer; the authorization server cannot start without its store.`,
      );
    }
    return new RedisOAuthStore(handle);
  }
  if (config.oauth.builtin?.store === 'postgres') return new PostgresOAuthStore(config.oauth.builtin.databaseUrl!);
  return new SqliteOAuthStore(config.server.dataDir);
}

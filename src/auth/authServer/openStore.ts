import type { Config } from '../../config/index.js';
import { SqliteOAuthStore } from './sqliteStore.js';
import type { OAuthStore } from './store.js';

/** The authorization server's store for this configuration: a SQLite file in DATA_DIR. */
export async function openOAuthStore(config: Config): Promise<OAuthStore> {
  return new SqliteOAuthStore(config.server.dataDir);
}

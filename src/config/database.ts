import { readBool, readList, readOptionalString, type Env } from './env.js';

/** database tool settings (issue: database tool). */
export interface DatabaseConfig {
  /** `sqlite:<path>` or `postgres://…`; undefined = SQLite file in DATA_DIR. */
  url?: string;
  readOnly: boolean;
  readTables: string[];
  writeTables: string[];
}

export function parseDatabaseConfig(env: Env): DatabaseConfig {
  return {
    url: readOptionalString(env, 'DATABASE_URL'),
    readOnly: readBool(env, 'DB_READ_ONLY', false),
    readTables: readList(env, 'DB_READ_TABLES'),
    writeTables: readList(env, 'DB_WRITE_TABLES'),
  };
}

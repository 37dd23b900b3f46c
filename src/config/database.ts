import { ConfigError, readBool, readInt, readList, readOptionalString, type Env } from './env.js';

/** database tool settings (issue: database tool). */
export interface DatabaseConfig {
  /** `sqlite:<path>` or `postgres://…`; undefined = SQLite file in DATA_DIR. */
  url?: string;
  backend: 'sqlite' | 'postgres';
  /** From `sqlite:<path>`; undefined = `<DATA_DIR>/database.sqlite`. Relative paths resolve against the working directory. */
  sqlitePath?: string;
  readOnly: boolean;
  readTables: string[];
  writeTables: string[];
  /** Largest number of rows `query` returns (it reports `truncated: true` beyond). */
  maxRows: number;
  /** Largest result `query` returns, in characters of JSON. */
  maxResultBytes: number;
  /** Time limit for one SQL statement (query; a whole write transaction on SQLite). */
  statementTimeoutMs: number;
  /** PostgreSQL pool size; also the most SQLite query processes running at once. */
  poolMax: number;
  /** How long query/list_tables/describe_table results stay cached (0 = no caching). */
  cacheTtlMs: number;
  /** Accept a PostgreSQL role that is superuser or may read/write server files or run programs. */
  allowPrivilegedRole: boolean;
  /** Offer create_table (structured DDL). Off by default: a schema change is an operator's decision. */
  allowDdl: boolean;
}

const URL_EXPECTED = 'sqlite:<file path> or postgres://user@host:5432/database';

// Security: a bad DATABASE_URL is echoed with its scheme only, because the rest may hold a password
// and startup errors end up in logs and terminals.
/** Shows only the scheme of a bad URL. */
function redacted(value: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(value)?.[0];
  return scheme ? `${scheme}…` : '…';
}

function parseUrl(value: string | undefined): Pick<DatabaseConfig, 'backend' | 'sqlitePath'> {
  if (value === undefined) return { backend: 'sqlite' };
  if (/^sqlite:/i.test(value)) {
    // `sqlite:/abs`, `sqlite:rel` and `sqlite:///abs` all name a file; `//` is optional.
    const file = value.slice('sqlite:'.length).replace(/^\/\/(?=\/|\.)/, '');
    // The query processes open their own connection to the file, so an in-memory database cannot work.
    if (file === '' || file === ':memory:' || file.startsWith('file:')) throw new ConfigError('DATABASE_URL', URL_EXPECTED, value);
    return { backend: 'sqlite', sqlitePath: file };
  }
  if (/^postgres(ql)?:\/\//i.test(value)) {
    try {
      const url = new URL(value);
      if (!url.hostname && !url.searchParams.has('host')) throw new Error('no host');
    } catch {
      throw new ConfigError('DATABASE_URL', URL_EXPECTED, redacted(value));
    }
    return { backend: 'postgres' };
  }
  throw new ConfigError('DATABASE_URL', URL_EXPECTED, redacted(value));
}

export function parseDatabaseConfig(env: Env): DatabaseConfig {
  const url = readOptionalString(env, 'DATABASE_URL');
  const readOnly = readBool(env, 'DB_READ_ONLY', false);
  const allowDdl = readBool(env, 'DB_ALLOW_DDL', false);
  // Two settings that contradict each other stop the server rather than one silently winning.
  if (readOnly && allowDdl) throw new ConfigError('DB_ALLOW_DDL', 'false (or unset) while DB_READ_ONLY=true', 'true');
  return {
    url,
    ...parseUrl(url),
    readOnly,
    readTables: readList(env, 'DB_READ_TABLES'),
    writeTables: readList(env, 'DB_WRITE_TABLES'),
    maxRows: readInt(env, 'DB_MAX_ROWS', 500, 1, 100_000),
    maxResultBytes: readInt(env, 'DB_MAX_RESULT_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    statementTimeoutMs: readInt(env, 'DB_STATEMENT_TIMEOUT_MS', 10_000, 10, 3_600_000),
    poolMax: readInt(env, 'DB_POOL_MAX', 10, 1, 1000),
    cacheTtlMs: readInt(env, 'DB_CACHE_TTL_MS', 60_000, 0, 86_400_000),
    allowPrivilegedRole: readBool(env, 'DB_ALLOW_PRIVILEGED_ROLE', false),
    allowDdl,
  };
}

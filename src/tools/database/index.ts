import path from 'node:path';
import type { ToolOperation } from '../../core/operation.js';
import type { ToolEnv, ToolFactory, ToolModule } from '../../core/toolModule.js';
import { TableAccess } from './access.js';
import type { DatabaseBackend } from './backend.js';
import { TOOL, type DbContext } from './dbContext.js';
import { maskPaths, pathMasker } from './hostPaths.js';
import { createTableOperation } from './operations/createTable.js';
import { deleteOperation } from './operations/delete.js';
import { describeTableOperation } from './operations/describeTable.js';
import { insertOperation } from './operations/insert.js';
import { listTablesOperation } from './operations/listTables.js';
import { queryOperation } from './operations/query.js';
import { updateOperation } from './operations/update.js';
import { SqliteBackend } from './sqlite/sqliteBackend.js';

export const DEFAULT_SQLITE_FILE = 'database.sqlite';

function sqliteFile(env: ToolEnv): string {
  const { sqlitePath } = env.config.database;
  return sqlitePath ? path.resolve(sqlitePath) : path.join(env.config.server.dataDir, DEFAULT_SQLITE_FILE);
}

async function createBackend(env: ToolEnv): Promise<DatabaseBackend> {
  const config = env.config.database;
  if (config.backend === 'postgres') {
    // Loaded only for PostgreSQL: the embedded default never pays for the pg client.
    const { PostgresBackend } = await import('./postgres/postgresBackend.js');
    return new PostgresBackend({
      url: config.url!,
      readTables: config.readTables,
      poolMax: config.poolMax,
      statementTimeoutMs: config.statementTimeoutMs,
      allowPrivilegedRole: config.allowPrivilegedRole,
      logger: env.logger,
    });
  }
  return new SqliteBackend({
    file: sqliteFile(env),
    statementTimeoutMs: config.statementTimeoutMs,
    readTables: config.readTables,
    poolMax: config.poolMax,
    logger: env.logger,
  });
}

/** The database tool: SQLite in DATA_DIR by default, PostgreSQL with DATABASE_URL=postgres://… */
export const createDatabaseTool: ToolFactory = async (env: ToolEnv): Promise<ToolModule> => {
  const config = env.config.database;
  const backend = await createBackend(env);
  const db: DbContext = {
    backend,
    access: new TableAccess(backend, config),
    config,
    // The statement limit is the database's; the call limit leaves room to report it.
    callTimeoutMs: Math.max(env.config.server.callTimeoutMs, config.statementTimeoutMs + 5_000),
  };
  const operations: ToolOperation[] = [listTablesOperation(db), describeTableOperation(db), queryOperation(db)];
  // DB_READ_ONLY removes the writing operations entirely, so neither dialect lists them.
  const writes = [insertOperation(db), updateOperation(db), deleteOperation(db)];
  if (!config.readOnly) operations.push(...writes);
  // Security: schema changes are opt-in; without DB_ALLOW_DDL=true neither dialect lists create_table.
  if (config.allowDdl) operations.push(createTableOperation(db));
  const paths = [env.config.server.dataDir, ...(backend.dialect === 'sqlite' ? [sqliteFile(env)] : [])];
  const mask = pathMasker(paths);
  return {
    name: TOOL,
    operations: operations.map((op) => maskPaths(op, mask)),
    withheld: config.readOnly ? { operations: writes, reason: "this server's database is read-only (DB_READ_ONLY=true)" } : undefined,
    ready: async () => {
      try {
        await backend.ready();
      } catch (error) {
        // The message names the problem (unreachable, privileged role) but never the URL or a path.
        throw new Error(`database: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    close: () => backend.close(),
  };
};

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'winston';
import type { Condition, DatabaseBackend, JsonValue, QueryLimits, QueryResult, Scalar, TableDescription, TableRef } from '../backend.js';
import { refuse } from '../refusals.js';
import { buildCountUpTo, buildDelete, buildInsert, buildUpdate } from '../sqlBuilder.js';
import { toJsonValue } from '../values.js';
import { describeSqliteTable, listSqliteTables } from './sqliteCatalog.js';
import { fromReply, withSqliteErrors } from './sqliteErrors.js';
import { QueryProcessPool } from './queryProcessPool.js';

export interface SqliteBackendOptions {
  file: string;
  /** Empty = every table. */
  readTables: string[];
  poolMax: number;
  logger: Logger;
}

/**
 * SQLite through better-sqlite3. Catalog reads and writes use one connection in this process
 * (they are short and structured); `query` runs in killable child processes (queryProcessPool.ts).
 */
export class SqliteBackend implements DatabaseBackend {
  readonly dialect = 'sqlite' as const;
  readonly paramStyle = 'SQLite: positional ? placeholders, bound in the order of params (?1, ?2 … also work)';
  private readonly db: Database.Database;
  private readonly pool: QueryProcessPool;

  constructor(private readonly options: SqliteBackendOptions) {
    // The default file is created on first start so the server works with nothing installed.
    mkdirSync(path.dirname(options.file), { recursive: true });
    this.db = new Database(options.file, { timeout: 5000 });
    // WAL lets the query processes read while this connection writes, without "database is locked".
    this.db.pragma('journal_mode = WAL');
    // Security: as on the query connections, triggers in the file cannot call non-innocuous functions.
    this.db.pragma('trusted_schema = OFF');
    this.pool = new QueryProcessPool(options.poolMax, options.logger);
  }

  async listTables(): Promise<TableRef[]> {
    return withSqliteErrors(() => listSqliteTables(this.db));
  }

  async describeTable(table: TableRef): Promise<TableDescription> {
    return withSqliteErrors(() => describeSqliteTable(this.db, table));
  }

  async query(sql: string, params: Scalar[], limits: QueryLimits, signal: AbortSignal): Promise<QueryResult> {
    const readTables = this.options.readTables.length > 0 ? this.options.readTables : null;
    const reply = await this.pool.run(
      { file: this.options.file, sql, params, maxRows: limits.maxRows, maxBytes: limits.maxBytes, readTables },
      limits.timeoutMs,
      signal,
    );
    if (!reply.ok) throw fromReply(reply);
    return reply.result;
  }

  async insert(table: TableRef, primaryKey: string[], records: Record<string, JsonValue>[]): Promise<Record<string, JsonValue>[]> {
    return withSqliteErrors(() =>
      this.db.transaction(() =>
        records.map((record) => {
          const built = buildInsert('sqlite', table.sqlName, record, primaryKey);
          const stmt = this.db.prepare(built.text);
          if (primaryKey.length === 0) {
            stmt.run(...built.values);
            return {};
          }
          const row = stmt.get(...built.values) as Record<string, unknown>;
          return Object.fromEntries(primaryKey.map((k) => [k, toJsonValue(row[k])]));
        }),
      )(),
    );
  }

  async update(table: TableRef, set: Record<string, JsonValue>, where: Condition[]): Promise<number> {
    const built = buildUpdate('sqlite', table.sqlName, set, where);
    return withSqliteErrors(() => this.db.prepare(built.text).run(...built.values).changes);
  }

  async delete(table: TableRef, where: Condition[], maxRows: number): Promise<number> {
    const count = buildCountUpTo('sqlite', table.sqlName, where, maxRows + 1);
    const del = buildDelete('sqlite', table.sqlName, where);
    return withSqliteErrors(() =>
      this.db.transaction(() => {
        // Security: counted first (stopping at max_rows + 1), so a where that matches too much
        // is refused without the work of deleting; the count of the DELETE itself is the final word.
        const { n } = this.db.prepare(count.text).get(...count.values) as { n: number };
        if (n > maxRows) throw refuse.tooManyRows(table.name, maxRows);
        const deleted = this.db.prepare(del.text).run(...del.values).changes;
        if (deleted > maxRows) throw refuse.tooManyRows(table.name, maxRows);
        return deleted;
      })(),
    );
  }

  async createTable(statement: string): Promise<void> {
    withSqliteErrors(() => this.db.prepare(statement).run());
  }

  async ready(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.pool.close();
    if (this.db.open) this.db.close();
  }
}

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'winston';
import type { Condition, DatabaseBackend, JsonValue, QueryLimits, QueryResult, Scalar, TableDescription, TableRef } from '../backend.js';
import { refuse } from '../refusals.js';
import { type BuiltStatement, buildCountUpTo, buildDelete, buildInsert, buildUpdate } from '../sqlBuilder.js';
import { describeSqliteTable, listSqliteTables } from './sqliteCatalog.js';
import { fromReply, sqliteToolError, withSqliteErrors } from './sqliteErrors.js';
import type { SqliteWriteStep } from './sqliteWrite.js';
import { QueryProcessPool } from './queryProcessPool.js';

export interface SqliteBackendOptions {
  file: string;
  /** Time limit of a query or of a whole write transaction. */
  statementTimeoutMs: number;
  /** Empty = every table. */
  readTables: string[];
  poolMax: number;
  logger: Logger;
}

const TOO_MANY = new Error('too many rows');

function step(built: BuiltStatement, result: SqliteWriteStep['result'], extra: Partial<SqliteWriteStep> = {}): SqliteWriteStep {
  // sqlBuilder binds SQLite values through toSqliteParam: strings, numbers and null only.
  return { text: built.text, values: built.values as SqliteWriteStep['values'], result, ...extra };
}

/**
 * SQLite through better-sqlite3. Catalog reads use one connection in this process (they are
 * short); `query` and every write run in killable child processes (queryProcessPool.ts), so both
 * have the statement time limit and neither can hold the event loop.
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
    const reply = await this.pool.query(
      { file: this.options.file, sql, params, maxRows: limits.maxRows, maxBytes: limits.maxBytes, readTables },
      limits.timeoutMs,
      signal,
    );
    if (!reply.ok) throw fromReply(reply);
    return reply.result;
  }

  async insert(
    table: TableRef,
    primaryKey: string[],
    records: Record<string, JsonValue>[],
    signal: AbortSignal,
  ): Promise<Record<string, JsonValue>[]> {
    const steps = records.map((record) => step(buildInsert('sqlite', table.sqlName, record, primaryKey), 'keys', { keys: primaryKey }));
    return (await this.write(steps, signal)) as Record<string, JsonValue>[];
  }

  async update(table: TableRef, set: Record<string, JsonValue>, where: Condition[], signal: AbortSignal): Promise<number> {
    const [changed] = await this.write([step(buildUpdate('sqlite', table.sqlName, set, where), 'changes')], signal);
    return changed as number;
  }

  async delete(table: TableRef, where: Condition[], maxRows: number, signal: AbortSignal): Promise<number> {
    // Security: counted first (stopping at max_rows + 1), so a where that matches too much is
    // refused without the work of deleting; the DELETE's own count is checked as well.
    const steps = [
      step(buildCountUpTo('sqlite', table.sqlName, where, maxRows + 1), 'count', { max: maxRows }),
      step(buildDelete('sqlite', table.sqlName, where), 'changes', { max: maxRows }),
    ];
    try {
      return (await this.write(steps, signal))[1] as number;
    } catch (error) {
      if (error === TOO_MANY) throw refuse.tooManyRows(table.name, maxRows);
      throw error;
    }
  }

  async createTable(statement: string, signal: AbortSignal): Promise<void> {
    await this.write([{ text: statement, values: [], result: 'changes' }], signal);
  }

  /** Runs the steps as one transaction in a query process; results in step order. */
  private async write(steps: SqliteWriteStep[], signal: AbortSignal): Promise<JsonValue[]> {
    const reply = await this.pool.write({ file: this.options.file, steps }, this.options.statementTimeoutMs, signal);
    if (reply.ok) return reply.results;
    if ('refusal' in reply) throw TOO_MANY;
    throw sqliteToolError(reply.error.code, reply.error.message);
  }

  async ready(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.pool.close();
    if (this.db.open) this.db.close();
  }
}

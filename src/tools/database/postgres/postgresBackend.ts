import pg from 'pg';
import type { Logger } from 'winston';
import type { Condition, DatabaseBackend, JsonValue, QueryLimits, QueryResult, Scalar, TableDescription, TableRef } from '../backend.js';
import { buildCountUpTo, buildDelete, buildInsert, buildUpdate } from '../sqlBuilder.js';
import { toJsonValue } from '../values.js';
import { describePgTable, listPgTables } from './pgCatalog.js';
import { pgToolError } from './pgErrors.js';
import { createPool } from './pgPool.js';
import { runPgQuery, type TypeNames } from './pgQuery.js';
import { withSession } from './pgSession.js';
import { roleChangeIn } from './roleChange.js';
import { inspectRole, privilegedRoleError, readListError, type RoleReport } from './roleCheck.js';
import { refuse } from '../refusals.js';

export interface PostgresBackendOptions {
  url: string;
  readTables: string[];
  poolMax: number;
  statementTimeoutMs: number;
  allowPrivilegedRole: boolean;
  logger: Logger;
}

// Grants change rarely; re-checking a connection once a minute keeps a revoked or re-granted
// privilege current. Every new connection is checked before its first query anyway.
const ROLE_CHECK_TTL_MS = 60_000;

export class PostgresBackend implements DatabaseBackend {
  readonly dialect = 'postgres' as const;
  readonly paramStyle = 'PostgreSQL: positional $1, $2 … placeholders, bound in the order of params';
  private readonly pool: pg.Pool;
  private readonly typeNames: TypeNames = new Map();
  private readonly roleChecks = new WeakMap<pg.ClientBase, { at: number; report: Promise<RoleReport> }>();
  private lastLogged = '';

  constructor(private readonly options: PostgresBackendOptions) {
    // Security: each new connection is checked as soon as it opens, before the pool lends it to
    // anyone: a role given a dangerous membership after startup is caught on the next connection,
    // whatever the ROLE_CHECK_TTL_MS cache says about older ones. A check that fails here is not
    // cached; the operation that borrowed the connection checks again and reports the error.
    this.pool = createPool(options.url, options.poolMax, options.logger, (client) =>
      this.checkRole(client).then(
        () => undefined,
        () => undefined,
      ),
    );
  }

  async listTables(): Promise<TableRef[]> {
    return this.catalog(() => listPgTables(this.pool));
  }

  async describeTable(table: TableRef): Promise<TableDescription> {
    return this.catalog(() => describePgTable(this.pool, table));
  }

  async query(sql: string, params: Scalar[], limits: QueryLimits, signal: AbortSignal): Promise<QueryResult> {
    const change = roleChangeIn(sql);
    if (change) throw refuse.roleChange(change);
    return withSession(this.pool, signal, this.cancelBackend, async (session) => {
      const report = await this.checkRole(session.client);
      this.guard(report);
      return runPgQuery(session, sql, params, limits, signal, this.typeNames, report);
    });
  }

  async insert(
    table: TableRef,
    primaryKey: string[],
    records: Record<string, JsonValue>[],
    signal: AbortSignal,
  ): Promise<Record<string, JsonValue>[]> {
    return this.write(signal, async (client) => {
      const keys: Record<string, JsonValue>[] = [];
      for (const record of records) {
        const built = buildInsert('postgres', table.sqlName, record, primaryKey);
        const { rows } = await client.query(built.text, built.values);
        const row = (rows[0] ?? {}) as Record<string, unknown>;
        keys.push(Object.fromEntries(primaryKey.map((k) => [k, toJsonValue(row[k])])));
      }
      return keys;
    });
  }

  async update(table: TableRef, set: Record<string, JsonValue>, where: Condition[], signal: AbortSignal): Promise<number> {
    const built = buildUpdate('postgres', table.sqlName, set, where);
    return this.write(signal, async (client) => (await client.query(built.text, built.values)).rowCount ?? 0);
  }

  async delete(table: TableRef, where: Condition[], maxRows: number, signal: AbortSignal): Promise<number> {
    const count = buildCountUpTo('postgres', table.sqlName, where, maxRows + 1);
    const del = buildDelete('postgres', table.sqlName, where);
    return this.write(signal, async (client) => {
      // Security: counted first (stopping at max_rows + 1); the DELETE's own count is checked too,
      // since rows committed meanwhile by others can match it. Throwing rolls the transaction back.
      const { rows } = await client.query<{ n: number }>(count.text, count.values);
      if (Number(rows[0]?.n) > maxRows) throw refuse.tooManyRows(table.name, maxRows);
      const deleted = (await client.query(del.text, del.values)).rowCount ?? 0;
      if (deleted > maxRows) throw refuse.tooManyRows(table.name, maxRows);
      return deleted;
    });
  }

  async createTable(statement: string, signal: AbortSignal): Promise<void> {
    await this.write(signal, async (client) => {
      await client.query(statement);
    });
  }

  async ready(): Promise<void> {
    // A privileged role is reported (logged) but does not make the database unready: only free-form
    // SQL is refused for it, and the structured operations keep working.
    const client = await this.catalog(() => this.pool.connect());
    try {
      await this.checkRole(client);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /**
   * Security: free-form SQL is refused for a role that bypasses the database's rules (a superuser
   * can pg_read_file or COPY … TO PROGRAM even inside a read-only transaction, dblink opens a
   * connection that is not read-only, and a role that can become any of these by membership can
   * switch to it mid-statement) and for a role that can read tables outside DB_READ_TABLES,
   * because on PostgreSQL those rules can only be enforced by the role's privileges. The structured
   * operations (checked identifiers, bound values) stay safe with any role.
   */
  private guard(report: RoleReport): void {
    if (report.privileged.length > 0 && !this.options.allowPrivilegedRole) throw privilegedRoleError(report);
    if (report.extraReadable.length > 0) throw readListError(report);
  }

  /** The role check of one connection, cached on it for ROLE_CHECK_TTL_MS. */
  private checkRole(client: pg.ClientBase): Promise<RoleReport> {
    const now = Date.now();
    const cached = this.roleChecks.get(client);
    if (cached && now - cached.at <= ROLE_CHECK_TTL_MS) return cached.report;
    const report = inspectRole(client, this.options.readTables).catch((error) => {
      this.roleChecks.delete(client);
      throw pgToolError(error, { phase: 'catalog', timeoutMs: this.options.statementTimeoutMs, aborted: false });
    });
    this.roleChecks.set(client, { at: now, report });
    report.then(
      (r) => this.logRole(r),
      () => {},
    );
    return report;
  }

  /** Logs a privileged role once per change, not once per connection. */
  private logRole(report: RoleReport): void {
    const key = report.privileged.join('|');
    if (key === this.lastLogged) return;
    this.lastLogged = key;
    if (report.privileged.length > 0)
      this.options.logger.warn('database role is privileged', {
        role: report.role,
        privileged: report.privileged,
        allowed: this.options.allowPrivilegedRole,
      });
  }

  /**
   * Cancels a running statement from a separate, short-lived connection: the pool may have no
   * free connection while the statement to cancel holds one.
   */
  private readonly cancelBackend = async (pid: number): Promise<void> => {
    const client = new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: 5_000,
      application_name: 'mcp-tool-server-cancel',
    });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT pg_cancel_backend($1)', [pid]);
    } finally {
      await client.end().catch(() => {});
    }
  };

  private async catalog<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw pgToolError(error, { phase: 'catalog', timeoutMs: this.options.statementTimeoutMs, aborted: false });
    }
  }

  private async write<T>(signal: AbortSignal, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    try {
      return await withSession(this.pool, signal, this.cancelBackend, (session) =>
        // Plain BEGIN on purpose: a role made read-only with default_transaction_read_only stays read-only.
        session.transaction('default', this.options.statementTimeoutMs, 'COMMIT', () => fn(session.client)),
      );
    } catch (error) {
      throw pgToolError(error, { phase: 'write', timeoutMs: this.options.statementTimeoutMs, aborted: signal.aborted });
    }
  }
}

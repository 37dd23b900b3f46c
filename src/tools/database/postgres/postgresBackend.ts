import pg from 'pg';
import type { Logger } from 'winston';
import type { Condition, DatabaseBackend, JsonValue, QueryLimits, QueryResult, Scalar, TableDescription, TableRef } from '../backend.js';
import { buildInsert, buildUpdate } from '../sqlBuilder.js';
import { toJsonValue } from '../values.js';
import { describePgTable, listPgTables } from './pgCatalog.js';
import { pgToolError } from './pgErrors.js';
import { createPool } from './pgPool.js';
import { runPgQuery, type TypeNames } from './pgQuery.js';
import { withSession } from './pgSession.js';
import { inspectRole, privilegedRoleError, readListError, type RoleReport } from './roleCheck.js';

export interface PostgresBackendOptions {
  url: string;
  readTables: string[];
  poolMax: number;
  statementTimeoutMs: number;
  allowPrivilegedRole: boolean;
  logger: Logger;
}

// Grants change rarely; re-checking once a minute keeps a revoked or re-granted table current.
const ROLE_CHECK_TTL_MS = 60_000;

export class PostgresBackend implements DatabaseBackend {
  readonly dialect = 'postgres' as const;
  readonly paramStyle = 'PostgreSQL: positional $1, $2 … placeholders, bound in the order of params';
  private readonly pool: pg.Pool;
  private readonly typeNames: TypeNames = new Map();
  private roleCheck?: { at: number; report: Promise<RoleReport> };

  constructor(private readonly options: PostgresBackendOptions) {
    this.pool = createPool(options.url, options.poolMax, options.logger);
  }

  async listTables(): Promise<TableRef[]> {
    await this.guard(false);
    return this.catalog(() => listPgTables(this.pool));
  }

  async describeTable(table: TableRef): Promise<TableDescription> {
    await this.guard(false);
    return this.catalog(() => describePgTable(this.pool, table));
  }

  async query(sql: string, params: Scalar[], limits: QueryLimits, signal: AbortSignal): Promise<QueryResult> {
    await this.guard(true);
    return withSession(this.pool, signal, this.cancelBackend, (session) =>
      runPgQuery(session, sql, params, limits, signal, this.typeNames),
    );
  }

  async insert(
    table: TableRef,
    primaryKey: string[],
    records: Record<string, JsonValue>[],
    signal: AbortSignal,
  ): Promise<Record<string, JsonValue>[]> {
    await this.guard(false);
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
    await this.guard(false);
    const built = buildUpdate('postgres', table.sqlName, set, where);
    return this.write(signal, async (client) => (await client.query(built.text, built.values)).rowCount ?? 0);
  }

  async ready(): Promise<void> {
    await this.catalog(() => this.pool.query('SELECT 1'));
    // A privileged role is reported (logged) but does not make the database unready: only free-form
    // SQL is refused for it, and the structured operations keep working.
    await this.report();
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /**
   * Security: free-form SQL is refused for a role that bypasses the database's rules (a superuser
   * can pg_read_file or COPY … TO PROGRAM even inside a read-only transaction, and can SET ROLE
   * back from any role we switch to) and for a role that can read tables outside DB_READ_TABLES,
   * because on PostgreSQL those rules can only be enforced by the role's privileges. The structured
   * operations (checked identifiers, bound values) stay safe with any role.
   */
  private async guard(forQuery: boolean): Promise<void> {
    if (!forQuery) return;
    const report = await this.report();
    if (report.privileged.length > 0 && !this.options.allowPrivilegedRole) throw privilegedRoleError(report);
    if (report.extraReadable.length > 0) throw readListError(report);
  }

  private report(): Promise<RoleReport> {
    const now = Date.now();
    if (!this.roleCheck || now - this.roleCheck.at > ROLE_CHECK_TTL_MS) {
      const report = inspectRole(this.pool, this.options.readTables).catch((error) => {
        this.roleCheck = undefined;
        throw pgToolError(error, { phase: 'catalog', timeoutMs: this.options.statementTimeoutMs, aborted: false });
      });
      this.roleCheck = { at: now, report };
      report.then(
        (r) => {
          if (r.privileged.length > 0)
            this.options.logger.warn('database role is privileged', {
              role: r.role,
              privileged: r.privileged,
              allowed: this.options.allowPrivilegedRole,
            });
        },
        () => {},
      );
    }
    return this.roleCheck.report;
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

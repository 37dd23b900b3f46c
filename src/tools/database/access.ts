import { ToolError } from '../../core/errors.js';
import type { DatabaseBackend, TableDescription, TableRef } from './backend.js';

export interface AccessPolicy {
  readOnly: boolean;
  /** Empty = every table. */
  readTables: string[];
  writeTables: string[];
}

const LISTED_IN_ERRORS = 50;

/**
 * Table and column names from callers are only ever looked up here, in the live schema, and the
 * catalog's own (quoted) spelling is used from then on. Allow-lists are applied on the same path.
 */
export class TableAccess {
  constructor(
    private readonly backend: DatabaseBackend,
    private readonly policy: AccessPolicy,
  ) {}

  get readListed(): boolean {
    return this.policy.readTables.length > 0;
  }

  canRead(table: TableRef): boolean {
    return this.policy.readTables.length === 0 || this.policy.readTables.includes(table.name);
  }

  /**
   * Without DB_WRITE_TABLES, the writable tables are the readable ones: hiding a table hides it for
   * writes too. Views are never written through this server (most are not updatable anyway).
   */
  canWrite(table: TableRef): boolean {
    if (this.policy.readOnly || table.kind !== 'table') return false;
    return this.policy.writeTables.length === 0 ? this.canRead(table) : this.policy.writeTables.includes(table.name);
  }

  /** Tables a caller may know about: readable or writable through this server. */
  async visibleTables(): Promise<TableRef[]> {
    return (await this.backend.listTables()).filter((t) => this.canRead(t) || this.canWrite(t));
  }

  /** For describe_table: a table the caller may read or write. */
  async forDescribe(name: string): Promise<TableRef> {
    const table = await this.find(name);
    if (!this.canRead(table) && !this.canWrite(table)) throw this.notFound(name, await this.visibleTables());
    return table;
  }

  /** For insert/update/delete. */
  async forWrite(name: string): Promise<TableRef> {
    const table = await this.find(name);
    if (!this.canWrite(table)) {
      if (!this.canRead(table)) throw this.notFound(name, await this.visibleTables());
      // Security: DB_WRITE_TABLES / DB_READ_ONLY are enforced here, before any SQL is built.
      if (table.kind === 'view')
        throw new ToolError('FORBIDDEN', `Refused: "${table.name}" is a view; the write operations work on tables only.`);
      throw new ToolError(
        'FORBIDDEN',
        `Refused: table "${table.name}" is not writable through this server (DB_WRITE_TABLES / DB_READ_ONLY). list_tables shows which tables are writable.`,
      );
    }
    return table;
  }

  /**
   * For create_table. Security: with an allow-list set, a new table must already be on it (the
   * operator names what may exist), so creating a table never widens what the server may touch.
   */
  async forCreate(name: string): Promise<void> {
    // Both lists: on PostgreSQL the new table's owner can read it, which DB_READ_TABLES must allow.
    for (const [variable, list] of [
      ['DB_READ_TABLES', this.policy.readTables],
      ['DB_WRITE_TABLES', this.policy.writeTables],
    ] as const) {
      if (list.length > 0 && !list.includes(name))
        throw new ToolError('FORBIDDEN', `Refused: "${name}" is not in this server's ${variable} allow-list, so it may not be created.`);
    }
    const existing = (await this.backend.listTables()).find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (existing) throw new ToolError('CONFLICT', `A table or view named "${existing.name}" already exists.`);
  }

  /** Every name must be a column of the table, spelled as the catalog spells it. */
  checkColumns(description: TableDescription, names: string[], where: string): void {
    const known = new Set(description.columns.map((c) => c.name));
    for (const name of names) {
      // Security: a column name that is not in the live schema never reaches SQL (no injection through keys).
      if (!known.has(name)) {
        const list = description.columns.map((c) => c.name).join(', ');
        throw new ToolError(
          'INVALID_PARAMS',
          `${where}: table "${description.table}" has no column ${JSON.stringify(name)}. Its columns are: ${list}.`,
        );
      }
    }
  }

  private async find(name: string): Promise<TableRef> {
    const tables = await this.backend.listTables();
    // Security: exact match against the catalog; the caller's string is never quoted or pasted into SQL.
    const table = tables.find((t) => t.name === name);
    if (!table)
      throw this.notFound(
        name,
        tables.filter((t) => this.canRead(t) || this.canWrite(t)),
      );
    return table;
  }

  private notFound(name: string, visible: TableRef[]): ToolError {
    const names = visible.slice(0, LISTED_IN_ERRORS).map((t) => t.name);
    const more = visible.length > LISTED_IN_ERRORS ? `, … (${visible.length - LISTED_IN_ERRORS} more)` : '';
    const similar = visible.find((t) => t.name.toLowerCase() === name.toLowerCase());
    const hint = similar ? ` Did you mean "${similar.name}"? Names are case-sensitive.` : '';
    return new ToolError(
      'NOT_FOUND',
      `No table or view named ${JSON.stringify(name)}.${hint} Known tables: ${names.length ? names.join(', ') + more : '(none)'}.`,
    );
  }
}

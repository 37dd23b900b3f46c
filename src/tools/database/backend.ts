/**
 * What the operations need from a database. Two implementations (sqlite/, postgres/) behave the
 * same; the operations never build SQL from caller text except through these methods.
 */
export type Dialect = 'sqlite' | 'postgres';

/** A JSON value as it arrives in parameters and leaves in results. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Scalar = string | number | boolean | null;

/** A table or view as the live schema names it. */
export interface TableRef {
  /** The name callers use: bare in the default schema, `schema.table` elsewhere (PostgreSQL). */
  name: string;
  kind: 'table' | 'view';
  /** Quoted, schema-qualified identifier built from the catalog's own names. */
  sqlName: string;
}

export interface ColumnInfo {
  name: string;
  type: string;
  nullable: boolean;
  default: string | null;
  primary_key: boolean;
}

export interface TableDescription {
  table: string;
  kind: 'table' | 'view';
  columns: ColumnInfo[];
  primary_key: string[];
  foreign_keys: { columns: string[]; references_table: string; references_columns: string[] }[];
  indexes: { name: string; columns: string[]; unique: boolean }[];
}

export interface QueryLimits {
  maxRows: number;
  maxBytes: number;
  timeoutMs: number;
}

export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: JsonValue[][];
  row_count: number;
  truncated: boolean;
  truncated_reason?: 'max_rows' | 'max_bytes';
}

export type ConditionOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like' | 'in' | 'is_null';

/** One checked `where` entry: the column exists, the value suits the operator. */
export interface Condition {
  column: string;
  op: ConditionOp;
  value: JsonValue;
}

export interface DatabaseBackend {
  readonly dialect: Dialect;
  /** How positional parameters are written in `query` SQL on this backend. */
  readonly paramStyle: string;
  /** Every table and view the server may see (before allow-lists). */
  listTables(): Promise<TableRef[]>;
  describeTable(table: TableRef): Promise<TableDescription>;
  /** Runs one read-only statement; refusals and time limits are enforced by the database. */
  query(sql: string, params: Scalar[], limits: QueryLimits, signal: AbortSignal): Promise<QueryResult>;
  /** Inserts in one transaction; returns each new row's primary-key values (empty object without one). */
  insert(
    table: TableRef,
    primaryKey: string[],
    records: Record<string, JsonValue>[],
    signal: AbortSignal,
  ): Promise<Record<string, JsonValue>[]>;
  /** Returns the number of rows changed. An empty `where` means every row (the caller decides). */
  update(table: TableRef, set: Record<string, JsonValue>, where: Condition[], signal: AbortSignal): Promise<number>;
  /**
   * Deletes the rows matching a non-empty `where` in one transaction and returns how many; when
   * more than `maxRows` match, deletes nothing and throws refuse.tooManyRows.
   */
  delete(table: TableRef, where: Condition[], maxRows: number, signal: AbortSignal): Promise<number>;
  /** Runs one CREATE TABLE built by ddlBuilder.ts from a checked column list. */
  createTable(statement: string, signal: AbortSignal): Promise<void>;
  ready(): Promise<void>;
  close(): Promise<void>;
}

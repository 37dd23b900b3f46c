import type { Condition, Dialect, JsonValue } from './backend.js';
import { quoteIdent } from './identifiers.js';
import { toSqliteParam } from './values.js';

/** A statement with its bound values; values never appear in the text. */
export interface BuiltStatement {
  text: string;
  values: unknown[];
}

/** Collects bound values and writes the dialect's placeholders for them. */
class Binder {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: Dialect) {}

  bind(value: JsonValue): string {
    if (this.dialect === 'sqlite') {
      this.values.push(toSqliteParam(value));
      return '?';
    }
    // pg sends JS arrays as PostgreSQL arrays and objects as JSON text.
    this.values.push(value);
    return `$${this.values.length}`;
  }

  inList(values: JsonValue[]): string {
    if (this.dialect === 'sqlite') return `IN (${values.map((v) => this.bind(v)).join(', ')})`;
    // One array parameter whatever the list length; PostgreSQL infers the element type from the column.
    return `= ANY(${this.bind(values)})`;
  }
}

function condition(c: Condition, b: Binder): string {
  const col = quoteIdent(c.column);
  switch (c.op) {
    case '=':
      return c.value === null ? `${col} IS NULL` : `${col} = ${b.bind(c.value)}`;
    case '!=':
      return c.value === null ? `${col} IS NOT NULL` : `${col} <> ${b.bind(c.value)}`;
    case 'like':
      return `${col} LIKE ${b.bind(c.value)}`;
    case 'in':
      return `${col} ${b.inList(c.value as JsonValue[])}`;
    case 'is_null':
      return c.value === false ? `${col} IS NOT NULL` : `${col} IS NULL`;
    default:
      return `${col} ${c.op} ${b.bind(c.value)}`;
  }
}

/** `sqlTable` and every column name must come from the live schema (access.ts checks them). */
export function buildInsert(dialect: Dialect, sqlTable: string, record: Record<string, JsonValue>, primaryKey: string[]): BuiltStatement {
  const b = new Binder(dialect);
  const columns = Object.keys(record);
  const returning = primaryKey.length > 0 ? ` RETURNING ${primaryKey.map(quoteIdent).join(', ')}` : '';
  if (columns.length === 0) return { text: `INSERT INTO ${sqlTable} DEFAULT VALUES${returning}`, values: [] };
  const placeholders = columns.map((c) => b.bind(record[c]!));
  return {
    text: `INSERT INTO ${sqlTable} (${columns.map(quoteIdent).join(', ')}) VALUES (${placeholders.join(', ')})${returning}`,
    values: b.values,
  };
}

export function buildUpdate(dialect: Dialect, sqlTable: string, set: Record<string, JsonValue>, where: Condition[]): BuiltStatement {
  const b = new Binder(dialect);
  const assignments = Object.entries(set).map(([c, v]) => `${quoteIdent(c)} = ${b.bind(v)}`);
  return { text: `UPDATE ${sqlTable} SET ${assignments.join(', ')}${whereClause(where, b)}`, values: b.values };
}

function whereClause(where: Condition[], b: Binder): string {
  const conditions = where.map((c) => condition(c, b));
  return conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
}

/** Counts matching rows, but never more than `limit`: the database stops looking there. */
export function buildCountUpTo(dialect: Dialect, sqlTable: string, where: Condition[], limit: number): BuiltStatement {
  const b = new Binder(dialect);
  const whereSql = whereClause(where, b);
  // The limit is a number we checked (schema: integer), bound like every value.
  return { text: `SELECT count(*) AS n FROM (SELECT 1 FROM ${sqlTable}${whereSql} LIMIT ${b.bind(limit)}) AS matching`, values: b.values };
}

export function buildDelete(dialect: Dialect, sqlTable: string, where: Condition[]): BuiltStatement {
  const b = new Binder(dialect);
  return { text: `DELETE FROM ${sqlTable}${whereClause(where, b)}`, values: b.values };
}

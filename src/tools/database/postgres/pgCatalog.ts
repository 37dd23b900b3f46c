import type pg from 'pg';
import type { TableDescription, TableRef } from '../backend.js';
import { quoteIdent } from '../identifiers.js';

/** Tables in the current schema are named bare, others `schema.table`, as a model would write them. */
function displayName(schema: string, name: string, inCurrentSchema: boolean): string {
  return inCurrentSchema ? name : `${schema}.${name}`;
}

const KIND = `CASE WHEN c.relkind IN ('v', 'm') THEN 'view' ELSE 'table' END`;

/** Tables and views on the search path that the role can read or change. */
export async function listPgTables(client: pg.ClientBase | pg.Pool): Promise<TableRef[]> {
  const { rows } = await client.query<{ schema: string; name: string; kind: 'table' | 'view'; current: boolean }>(`
    SELECT n.nspname AS schema, c.relname AS name, ${KIND} AS kind, n.nspname = current_schema() AS current
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND n.nspname = ANY (current_schemas(false))
      AND (has_any_column_privilege(c.oid, 'SELECT') OR has_table_privilege(c.oid, 'INSERT') OR has_any_column_privilege(c.oid, 'UPDATE'))
    ORDER BY array_position(current_schemas(false), n.nspname), c.relname`);
  return rows.map((r) => ({
    name: displayName(r.schema, r.name, r.current),
    kind: r.kind,
    sqlName: `${quoteIdent(r.schema)}.${quoteIdent(r.name)}`,
  }));
}

/** The table is named by its quoted catalog name, passed as a bound value and cast to regclass. */
export async function describePgTable(client: pg.ClientBase | pg.Pool, table: TableRef): Promise<TableDescription> {
  const cols = await client.query<{ name: string; type: string; nullable: boolean; default: string | null }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
            pg_get_expr(d.adbin, d.adrelid) AS default
     FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum`,
    [table.sqlName],
  );
  const indexes = await client.query<{ name: string; columns: string[]; unique: boolean; primary: boolean }>(
    `SELECT ic.relname AS name, i.indisunique AS unique, i.indisprimary AS primary,
            ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
     WHERE i.indrelid = $1::regclass ORDER BY ic.relname`,
    [table.sqlName],
  );
  const fks = await client.query<{ columns: string[]; ref_schema: string; ref_table: string; ref_current: boolean; ref_columns: string[] }>(
    `SELECT ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns,
            fn.nspname AS ref_schema, fc.relname AS ref_table, fn.nspname = current_schema() AS ref_current,
            ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS ref_columns
     FROM pg_constraint con JOIN pg_class fc ON fc.oid = con.confrelid JOIN pg_namespace fn ON fn.oid = fc.relnamespace
     WHERE con.conrelid = $1::regclass AND con.contype = 'f' ORDER BY con.conname`,
    [table.sqlName],
  );
  const primaryKey = indexes.rows.find((i) => i.primary)?.columns ?? [];
  return {
    table: table.name,
    kind: table.kind,
    columns: cols.rows.map((c) => ({ ...c, primary_key: primaryKey.includes(c.name) })),
    primary_key: primaryKey,
    foreign_keys: fks.rows.map((f) => ({
      columns: f.columns,
      references_table: displayName(f.ref_schema, f.ref_table, f.ref_current),
      references_columns: f.ref_columns,
    })),
    indexes: indexes.rows.map((i) => ({ name: i.name, columns: i.columns, unique: i.unique })),
  };
}

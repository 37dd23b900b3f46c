import type Database from 'better-sqlite3';
import type { ColumnInfo, TableDescription, TableRef } from '../backend.js';
import { quoteIdent } from '../identifiers.js';

export function listSqliteTables(db: Database.Database): TableRef[] {
  const rows = db
    .prepare(
      `SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`,
    )
    .all() as { name: string; type: 'table' | 'view' }[];
  return rows.map((r) => ({ name: r.name, kind: r.type, sqlName: quoteIdent(r.name) }));
}

/** Table-valued pragma functions take the name as a bound parameter: nothing is pasted into SQL. */
export function describeSqliteTable(db: Database.Database, table: TableRef): TableDescription {
  const raw = db
    .prepare('SELECT name, type, "notnull" AS not_null, dflt_value, pk, hidden FROM pragma_table_xinfo(?) WHERE hidden <> 1 ORDER BY cid')
    .all(table.name) as {
    name: string;
    type: string;
    not_null: number;
    dflt_value: string | null;
    pk: number;
  }[];
  const primaryKey = raw
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
  const columns: ColumnInfo[] = raw.map((c) => {
    // INTEGER PRIMARY KEY is the rowid: never NULL even without NOT NULL.
    const rowid = c.pk > 0 && primaryKey.length === 1 && c.type.toUpperCase() === 'INTEGER';
    return {
      name: c.name,
      type: c.type.toLowerCase() || 'any',
      nullable: c.not_null === 0 && !rowid,
      default: c.dflt_value,
      primary_key: c.pk > 0,
    };
  });

  const fkRows = db
    .prepare('SELECT id, seq, "table" AS ref, "from" AS col, "to" AS refcol FROM pragma_foreign_key_list(?) ORDER BY id, seq')
    .all(table.name) as {
    id: number;
    ref: string;
    col: string;
    refcol: string | null;
  }[];
  const byId = new Map<number, TableDescription['foreign_keys'][number]>();
  for (const r of fkRows) {
    let fk = byId.get(r.id);
    if (!fk) byId.set(r.id, (fk = { columns: [], references_table: r.ref, references_columns: [] }));
    fk.columns.push(r.col);
    if (r.refcol !== null) fk.references_columns.push(r.refcol);
  }
  for (const fk of byId.values()) {
    // `REFERENCES parent` without columns means the parent's primary key.
    if (fk.references_columns.length === 0) {
      const parentPk = db.prepare('SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').all(fk.references_table) as {
        name: string;
      }[];
      fk.references_columns = parentPk.map((p) => p.name);
    }
  }

  const indexList = db.prepare('SELECT name, "unique" AS is_unique FROM pragma_index_list(?) ORDER BY name').all(table.name) as {
    name: string;
    is_unique: number;
  }[];
  const indexes = indexList.map((ix) => ({
    name: ix.name,
    columns: (
      db.prepare('SELECT name FROM pragma_index_info(?) WHERE name IS NOT NULL ORDER BY seqno').all(ix.name) as { name: string }[]
    ).map((c) => c.name),
    unique: ix.is_unique === 1,
  }));

  return { table: table.name, kind: table.kind, columns, primary_key: primaryKey, foreign_keys: [...byId.values()], indexes };
}

import Database from 'better-sqlite3';
import type { QueryResult, Scalar } from '../backend.js';
import { jsonSize, sqliteTypeOf, toJsonValue, toSqliteParam } from '../values.js';

export interface SqliteQueryRequest {
  file: string;
  sql: string;
  params: Scalar[];
  maxRows: number;
  maxBytes: number;
  /** null = every table may be read. */
  readTables: string[] | null;
}

export type Refusal = 'stacked' | 'write' | 'not_rows' | 'not_readable' | 'opaque_read' | 'host_path';

export type SqliteQueryReply =
  | { ok: true; result: QueryResult }
  | { ok: false; refusal: Refusal; detail: string }
  | { ok: false; error: { code: string; message: string } };

// VDBE opcodes that open a b-tree (table or index) by root page; P3 = database, P5 flags.
const OPENS_BTREE = new Set(['OpenRead', 'ReopenIdx', 'OpenWrite']);
const OPFLAG_P2ISREG = 0x10;

interface ExplainRow {
  opcode: string;
  p2: number;
  p3: number;
  p5: number;
}

/**
 * Which tables a statement reads, taken from SQLite's compiled program rather than from the SQL
 * text: every b-tree it opens is named by root page, and root pages map to tables in sqlite_schema.
 * Views, subqueries and indexes therefore all show up as the tables they really touch.
 */
function checkReads(db: Database.Database, sql: string, params: unknown[], readTables: string[]): SqliteQueryReply | undefined {
  const schema = db.prepare('SELECT rootpage, type, name, tbl_name FROM sqlite_schema WHERE rootpage > 0').all() as {
    rootpage: number;
    type: string;
    name: string;
    tbl_name: string;
  }[];
  const owner = new Map<number, string>([[1, 'sqlite_schema']]);
  for (const row of schema) owner.set(row.rootpage, row.tbl_name);
  const allowed = new Set(schema.filter((r) => readTables.includes(r.tbl_name)).map((r) => r.rootpage));
  let program: ExplainRow[];
  try {
    program = db.prepare(`EXPLAIN ${sql}`).all(...params) as ExplainRow[];
  } catch {
    return { ok: false, refusal: 'opaque_read', detail: 'the statement could not be inspected' };
  }
  for (const op of program) {
    if (op.opcode === 'VOpen') return { ok: false, refusal: 'opaque_read', detail: 'virtual table' };
    if (!OPENS_BTREE.has(op.opcode)) continue;
    if (op.p3 !== 0 || (op.p5 & OPFLAG_P2ISREG) !== 0 || !allowed.has(op.p2)) {
      return { ok: false, refusal: 'not_readable', detail: owner.get(op.p2) ?? 'an unknown table' };
    }
  }
  return undefined;
}

/**
 * Runs one read-only statement. Called inside a query process (queryProcess.ts) so the parent can
 * kill it when it runs too long: SQLite offers no interrupt through better-sqlite3.
 */
export function runSqliteQuery(req: SqliteQueryRequest): SqliteQueryReply {
  // Security: database_list (PRAGMA database_list, pragma_database_list) shows the file's absolute
  // path. SQLite cannot build SQL at run time, so every statement that reaches it names it in its
  // text, in any quoting or case; views and triggers cannot (trusted_schema is off below).
  if (/database_list/i.test(req.sql)) return { ok: false, refusal: 'host_path', detail: 'database_list' };
  // Security: a fresh read-only connection per statement. SQLITE_OPEN_READONLY makes every write
  // fail in SQLite itself, and nothing a statement changes on the connection (PRAGMA settings,
  // an ATTACH) survives into the next caller's statement.
  const db = new Database(req.file, { readonly: true, fileMustExist: true });
  try {
    // Security: views and triggers in the file may not call functions or virtual tables that are not
    // marked innocuous (pragma_database_list, …), so a planted view cannot reach what the text check refuses.
    db.pragma('trusted_schema = OFF');
    let stmt: Database.Statement;
    try {
      // Security: prepare() compiles exactly one statement and throws if the text holds more.
      stmt = db.prepare(req.sql);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/more than one statement/i.test(message)) return { ok: false, refusal: 'stacked', detail: message };
      throw error;
    }
    // Security: SQLite's own verdict on the compiled statement, not a reading of the SQL text.
    if (!stmt.readonly) return { ok: false, refusal: 'write', detail: 'SQLite marks the compiled statement as writing' };
    // ATTACH, BEGIN, SAVEPOINT and PRAGMA assignments count as "read-only" to SQLite; none returns rows.
    if (!stmt.reader) return { ok: false, refusal: 'not_rows', detail: 'this statement returns no rows.' };
    const params = req.params.map(toSqliteParam);
    if (req.readTables) {
      const refused = checkReads(db, req.sql, params, req.readTables);
      if (refused) return refused;
    }

    stmt.raw(true);
    stmt.safeIntegers(true);
    const declared = stmt.columns();
    const types: (string | undefined)[] = declared.map((c) => c.type?.toLowerCase() || undefined);
    const rows: QueryResult['rows'] = [];
    let bytes = 2;
    let truncated: QueryResult['truncated_reason'];
    // iterate() steps one row at a time, so an endless result costs no more than max_rows rows.
    for (const raw of stmt.iterate(...params) as Iterable<unknown[]>) {
      if (rows.length === req.maxRows) {
        truncated = 'max_rows';
        break;
      }
      const row = raw.map(toJsonValue);
      const size = jsonSize(row) + 1;
      if (bytes + size > req.maxBytes) {
        truncated = 'max_bytes';
        break;
      }
      for (const [i, v] of raw.entries()) types[i] ??= sqliteTypeOf(v);
      rows.push(row);
      bytes += size;
    }
    return {
      ok: true,
      result: {
        columns: declared.map((c, i) => ({ name: c.name, type: types[i] ?? 'unknown' })),
        rows,
        row_count: rows.length,
        truncated: truncated !== undefined,
        ...(truncated ? { truncated_reason: truncated } : {}),
      },
    };
  } catch (error) {
    const e = error as { code?: unknown; name?: string; message?: string };
    return { ok: false, error: { code: typeof e.code === 'string' ? e.code : (e.name ?? 'Error'), message: e.message ?? String(error) } };
  } finally {
    db.close();
  }
}

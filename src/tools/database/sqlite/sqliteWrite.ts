import Database from 'better-sqlite3';
import type { JsonValue } from '../backend.js';
import { toJsonValue } from '../values.js';

/**
 * One statement of a write, built by sqlBuilder.ts / ddlBuilder.ts in the server process (the
 * query process runs what its parent sends; nothing here comes from a caller unchecked).
 * `keys`: get() and return those columns (the RETURNING of an insert); `changes`: run() and return
 * the rows changed; `count`: get() a row `{n}`. With `max`, a result above it rolls everything back.
 */
export interface SqliteWriteStep {
  text: string;
  values: (string | number | null)[];
  result: 'keys' | 'changes' | 'count';
  keys?: string[];
  max?: number;
}

export interface SqliteWriteRequest {
  file: string;
  steps: SqliteWriteStep[];
}

export type SqliteWriteReply =
  | { ok: true; results: JsonValue[] }
  | { ok: false; refusal: 'too_many_rows' }
  | { ok: false; error: { code: string; message: string } };

class TooMany extends Error {}

function runStep(db: Database.Database, step: SqliteWriteStep): JsonValue {
  const stmt = db.prepare(step.text);
  let value: JsonValue;
  if (step.result === 'keys') {
    const keys = step.keys ?? [];
    if (keys.length === 0) {
      stmt.run(...step.values);
      return {};
    }
    const row = stmt.get(...step.values) as Record<string, unknown>;
    return Object.fromEntries(keys.map((k) => [k, toJsonValue(row[k])]));
  }
  if (step.result === 'count') value = Number((stmt.get(...step.values) as { n: number | bigint }).n);
  else value = stmt.run(...step.values).changes;
  if (step.max !== undefined && value > step.max) throw new TooMany();
  return value;
}

/**
 * Runs a write in a query process, so it has the statement time limit (the parent kills the
 * process; SQLite rolls an unfinished transaction back on the next open) and never holds the
 * server's event loop, however many rows a where has to scan. BEGIN IMMEDIATE takes the write lock
 * up front, so concurrent writers wait (busy timeout) instead of failing on a lock upgrade.
 */
export function runSqliteWrite(req: SqliteWriteRequest): SqliteWriteReply {
  const db = new Database(req.file, { fileMustExist: true, timeout: 5000 });
  try {
    // Security: as on the read connections, triggers in the file cannot call non-innocuous functions.
    db.pragma('trusted_schema = OFF');
    const results = db.transaction(() => req.steps.map((step) => runStep(db, step))).immediate();
    return { ok: true, results };
  } catch (error) {
    if (error instanceof TooMany) return { ok: false, refusal: 'too_many_rows' };
    const e = error as { code?: unknown; name?: string; message?: string };
    return { ok: false, error: { code: typeof e.code === 'string' ? e.code : (e.name ?? 'Error'), message: e.message ?? String(error) } };
  } finally {
    db.close();
  }
}

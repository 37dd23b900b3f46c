// Worker thread entry: FTS5 queries on a read-only connection to the index (see searchOffThread.ts).
import Database from 'better-sqlite3';
import { serveJobs } from '../../../infra/workerPool.js';
import { SEARCH_SQL, type SearchRow, type StoredHit, toHits } from './indexStore.js';
import type { SearchJob } from './searchOffThread.js';

const statements = new Map<string, Database.Statement<[{ match: string; limit: number }], SearchRow>>();

serveJobs(({ dbPath, match, terms, limit }: SearchJob): StoredHit[] => {
  let statement = statements.get(dbPath);
  if (!statement) {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    statement = db.prepare<[{ match: string; limit: number }], SearchRow>(SEARCH_SQL);
    statements.set(dbPath, statement);
  }
  return toHits(statement.all({ match, limit }), terms);
});

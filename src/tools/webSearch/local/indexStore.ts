import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { makeSnippet, SNIPPET_SOURCE_CHARS } from './snippet.js';

/** Bump when the table layout or tokenizer changes: the index is then rebuilt from scratch. */
const SCHEMA_VERSION = 1;

export interface StoredFile {
  id: number;
  mtimeMs: number;
  size: number;
  /** 0 when the file was examined but not indexed (binary or too large): it is not re-read until it changes. */
  indexed: number;
}

export interface StoredHit {
  path: string;
  title: string;
  snippet: string;
}

// `ORDER BY rank` (the configured BM25) with LIMIT lets FTS5 keep only the top rows;
// measured faster than ranking rowids in a subquery first. Also run by searchWorker.ts. The
// snippet is built by snippet.ts from the start of the text, not by FTS5's snippet() (see there).
export const SEARCH_SQL = `SELECT path, title, substr(body, 1, ${SNIPPET_SOURCE_CHARS}) AS head
  FROM docs WHERE docs MATCH @match ORDER BY rank LIMIT @limit`;

export interface SearchRow {
  path: string;
  title: string;
  head: string;
}

/** Rows of SEARCH_SQL → hits, each with a snippet around the first of `terms`. */
export function toHits(rows: SearchRow[], terms: readonly string[]): StoredHit[] {
  return rows.map((row) => ({ path: row.path, title: row.title, snippet: makeSnippet(row.head, terms) }));
}

/**
 * The SQLite side of the local index: a `files` table (what was seen, with mtime and size for
 * incremental scans) and an FTS5 table `docs` (path, title, text) ranked with BM25.
 * Every statement is prepared once; a search touches only the database, never the file system.
 */
export class IndexStore {
  private readonly db: Database.Database;
  private readonly stmt;

  constructor(dbPath: string) {
    if (dbPath !== ':memory:') mkdirSync(path.dirname(dbPath), { recursive: true });
    this.db = new Database(dbPath);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    const db = this.db;
    this.stmt = {
      getFile: db.prepare<[string], StoredFile>('SELECT id, mtime_ms AS mtimeMs, size, indexed FROM files WHERE path = ?'),
      insertFile: db.prepare<[string, number, number, number]>('INSERT INTO files (path, mtime_ms, size, indexed) VALUES (?, ?, ?, ?)'),
      updateFile: db.prepare<[number, number, number, number]>('UPDATE files SET mtime_ms = ?, size = ?, indexed = ? WHERE id = ?'),
      deleteFile: db.prepare<[number]>('DELETE FROM files WHERE id = ?'),
      insertDoc: db.prepare<[number, string, string, string]>('INSERT INTO docs (rowid, path, title, body) VALUES (?, ?, ?, ?)'),
      deleteDoc: db.prepare<[number]>('DELETE FROM docs WHERE rowid = ?'),
      allPaths: db.prepare<[], { path: string }>('SELECT path FROM files').pluck(),
      // '/' is followed by '0' in code-point order, so [prefix/, prefix0) is exactly the subtree.
      pathsUnder: db.prepare<[string, string], { path: string }>('SELECT path FROM files WHERE path >= ? AND path < ?').pluck(),
      countDocs: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM files WHERE indexed = 1').pluck(),
      search: db.prepare<[{ match: string; limit: number }], SearchRow>(SEARCH_SQL),
      ping: db.prepare('SELECT 1').pluck(),
    };
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version !== SCHEMA_VERSION) {
      this.db.exec('DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS docs;');
    }
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS files (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        mtime_ms REAL NOT NULL,
        size INTEGER NOT NULL,
        indexed INTEGER NOT NULL
      );
      CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(path, title, body, tokenize = 'porter unicode61 remove_diacritics 2');
    `);
    if (version !== SCHEMA_VERSION) {
      // Column weights for BM25: a hit in the title counts most, then the path, then the text.
      this.db.prepare("INSERT INTO docs (docs, rank) VALUES ('rank', 'bm25(2.0, 5.0, 1.0)')").run();
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
  }

  getFile(relPath: string): StoredFile | undefined {
    return this.stmt.getFile.get(relPath);
  }

  /** Records a file; with `doc` it is (re)indexed, without it only remembered as not indexable. */
  put(relPath: string, mtimeMs: number, size: number, doc?: { title: string; text: string }): void {
    const existing = this.stmt.getFile.get(relPath);
    let id: number;
    if (existing) {
      id = existing.id;
      if (existing.indexed) this.stmt.deleteDoc.run(id);
      this.stmt.updateFile.run(mtimeMs, size, doc ? 1 : 0, id);
    } else {
      id = Number(this.stmt.insertFile.run(relPath, mtimeMs, size, doc ? 1 : 0).lastInsertRowid);
    }
    if (doc) this.stmt.insertDoc.run(id, relPath, doc.title, doc.text);
  }

  remove(relPath: string): boolean {
    const existing = this.stmt.getFile.get(relPath);
    if (!existing) return false;
    if (existing.indexed) this.stmt.deleteDoc.run(existing.id);
    this.stmt.deleteFile.run(existing.id);
    return true;
  }

  allPaths(): string[] {
    return this.stmt.allPaths.all() as unknown as string[];
  }

  /** Paths strictly below a directory (`dir` without trailing slash). */
  pathsUnder(dir: string): string[] {
    return this.stmt.pathsUnder.all(`${dir}/`, `${dir}0`) as unknown as string[];
  }

  search(match: string, terms: readonly string[], limit: number): StoredHit[] {
    return toHits(this.stmt.search.all({ match, limit }), terms);
  }

  documentCount(): number {
    return this.stmt.countDocs.get() as unknown as number;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  ping(): void {
    this.stmt.ping.get();
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay, setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'winston';
import { ToolError } from '../../../core/errors.js';
import type { WorkspaceChange } from '../../../infra/workspaceEvents.js';
import { normalizeRelPath, openConfined } from './confine.js';
import { extractDocument, looksBinary } from './extract.js';
import { IndexStore, type StoredHit } from './indexStore.js';
import { createPathFilter, type PathFilter } from './pathFilter.js';
import { matchExpressions } from './query.js';
import { searchOffThread } from './searchOffThread.js';
import { Serial } from './serial.js';
import { walkWorkspace } from './walk.js';

export interface LocalIndexOptions {
  workspaceDir: string;
  /** SQLite file (the server uses `<DATA_DIR>/search-index.sqlite`), or ':memory:'. */
  dbPath: string;
  logger: Logger;
  /** Larger files are neither indexed nor fetched. Default 1 MiB. */
  maxFileBytes?: number;
  /** Extra globs (core/glob syntax) never indexed. */
  exclude?: readonly string[];
  /** Log a progress line every this many files during a scan. Default 1000. */
  progressEvery?: number;
  /** Index and fetch files with more than one hard link (FS_ALLOW_HARD_LINKS). Default false. */
  allowHardLinks?: boolean;
}

export interface ScanStats {
  /** Files the walk found (candidates by name). */
  files: number;
  /** Files read and (re)indexed in this scan. */
  indexed: number;
  unchanged: number;
  /** Files examined but not indexed: binary, too large, or unreadable. */
  skipped: number;
  removed: number;
  ms: number;
  /** indexed / seconds. */
  docsPerSecond: number;
}

export interface LocalDocument {
  path: string;
  title: string;
  text: string;
  size: number;
  modified: Date;
}

type Prepared =
  | { rel: string; kind: 'unchanged' }
  | { rel: string; kind: 'gone' }
  | { rel: string; kind: 'skip'; mtimeMs: number; size: number }
  | { rel: string; kind: 'index'; mtimeMs: number; size: number; title: string; text: string };

type Loaded =
  | { kind: 'missing' }
  | { kind: 'too_large'; mtimeMs: number; size: number }
  | { kind: 'binary'; mtimeMs: number; size: number }
  | { kind: 'text'; mtimeMs: number; size: number; source: string };

/** Files per transaction during scans; also the granularity at which workspace events can cut in. */
const BATCH = 64;
/** Most characters of document text written in one transaction. */
const TRANSACTION_TEXT = 256 * 1024;
/** Most time one HTML file's conversion may take while indexing (it runs in a worker thread). */
const EXTRACT_TIMEOUT_MS = 10_000;

/**
 * Full-text index of the workspace (SQLite FTS5, BM25). Scans are incremental (mtime + size),
 * workspace events from file_system update it before the writing call returns, and a periodic
 * rescan picks up changes made outside the server. All mutations go through one Serial queue.
 */
export class LocalIndex {
  private readonly store: IndexStore;
  private readonly filter: PathFilter;
  private readonly serial = new Serial();
  private readonly maxFileBytes: number;
  private readonly progressEvery: number;
  private realRoot?: string;
  private scanning?: Promise<ScanStats>;
  private firstScan?: Promise<unknown>;
  private firstScanDone = false;
  private completedScans = 0;
  private timer?: NodeJS.Timeout;
  private closed = false;

  private constructor(private readonly options: LocalIndexOptions) {
    this.store = new IndexStore(options.dbPath);
    this.filter = createPathFilter(options.exclude ?? []);
    this.maxFileBytes = options.maxFileBytes ?? 1024 * 1024;
    this.progressEvery = options.progressEvery ?? 1000;
  }

  /** Opens (or creates) the index database. Nothing is scanned until `start` or `scan`. */
  static open(options: LocalIndexOptions): LocalIndex {
    return new LocalIndex(options);
  }

  /** Starts the first scan in the background and, when intervalMs > 0, periodic rescans. */
  start(rescanIntervalMs: number): void {
    this.firstScan ??= this.scan()
      .catch(() => undefined)
      .finally(() => {
        this.firstScanDone = true;
      });
    if (rescanIntervalMs > 0 && !this.timer) {
      this.timer = setInterval(() => void this.scan().catch(() => undefined), rescanIntervalMs);
      this.timer.unref(); // never keeps the process alive on its own
    }
  }

  /** Resolves true once the first scan has finished, false if it is still running after `ms`. */
  async waitForFirstScan(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (this.firstScanDone || !this.firstScan) return this.firstScanDone;
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.race([this.firstScan, delay(ms, undefined, { signal: stop.signal }).catch(() => undefined)]);
    } finally {
      stop.abort();
      signal?.removeEventListener('abort', onAbort);
    }
    return this.firstScanDone;
  }

  get firstScanFinished(): boolean {
    return this.firstScanDone;
  }

  /**
   * Brings the index in line with the workspace: indexes new and changed files, forgets deleted
   * ones. Concurrent calls share the scan in progress.
   */
  scan(): Promise<ScanStats> {
    this.scanning ??= this.runScan().finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  /**
   * A scan that starts after this call: one already running may have walked past a change made
   * just now, so it is not shared but followed.
   */
  rescan(): Promise<ScanStats> {
    const running = this.scanning;
    return running ? running.catch(() => undefined).then(() => this.scan()) : this.scan();
  }

  private async runScan(): Promise<ScanStats> {
    const started = performance.now();
    const stats: ScanStats = { files: 0, indexed: 0, unchanged: 0, skipped: 0, removed: 0, ms: 0, docsPerSecond: 0 };
    const logger = this.options.logger;
    const first = this.completedScans === 0;
    try {
      const root = await this.root();
      const seen = new Set<string>();
      if (root) {
        let batch: string[] = [];
        for await (const rel of walkWorkspace(root, '', this.filter)) {
          if (this.closed) return stats;
          seen.add(rel);
          batch.push(rel);
          stats.files++;
          if (batch.length >= BATCH) {
            await this.indexBatch(root, batch, stats);
            batch = [];
          }
          if (stats.files % this.progressEvery === 0) {
            logger.info('search index: scanning workspace', { files: stats.files, indexed: stats.indexed, unchanged: stats.unchanged });
          }
        }
        await this.indexBatch(root, batch, stats);
      } else {
        logger.warn('search index: the workspace folder does not exist yet; the index is empty');
      }
      if (this.closed) return stats;
      const gone = this.store.allPaths().filter((rel) => !seen.has(rel));
      stats.removed += await this.removeIfGone(root, gone);
    } catch (error) {
      if (!this.closed) logger.error('search index: scan failed', { error: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      stats.ms = Math.round(performance.now() - started);
      stats.docsPerSecond = stats.indexed > 0 ? Math.round(stats.indexed / Math.max(stats.ms / 1000, 0.001)) : 0;
    }
    this.completedScans++;
    const changed = stats.indexed + stats.removed + stats.skipped > 0;
    if (first || changed) logger.info('search index: scan finished', { ...stats, documents: this.store.documentCount() });
    else logger.debug('search index: rescan found no changes', stats);
    return stats;
  }

  /** Applies one file_system change; resolves once the index reflects it. */
  async applyChange(change: WorkspaceChange): Promise<void> {
    const paths = change.kind === 'move' ? [change.from, change.to] : [change.path];
    for (const input of paths) {
      const rel = normalizeRelPath(input);
      if (rel === undefined || this.closed) continue;
      if (rel === '') {
        await this.rescan();
        continue;
      }
      await this.refresh(rel);
    }
  }

  private async refresh(rel: string): Promise<void> {
    const root = await this.root();
    if (!root) return;
    let isDirectory = false;
    try {
      isDirectory = (await lstat(path.join(root, ...rel.split('/')))).isDirectory();
    } catch {
      isDirectory = false;
    }
    if (!isDirectory) {
      // A file, or nothing any more (then also anything that was indexed below this path).
      await this.indexBatch(root, [rel], undefined);
      await this.removeIfGone(root, this.store.pathsUnder(rel));
      return;
    }
    const seen = new Set<string>();
    let batch: string[] = [];
    if (this.filter.directory(rel)) {
      for await (const file of walkWorkspace(root, rel, this.filter)) {
        seen.add(file);
        batch.push(file);
        if (batch.length >= BATCH) {
          await this.indexBatch(root, batch, undefined);
          batch = [];
        }
      }
    }
    await this.indexBatch(root, batch, undefined);
    await this.removeIfGone(
      root,
      [rel, ...this.store.pathsUnder(rel)].filter((p) => !seen.has(p)),
    );
  }

  /** Reads the batch's changed files, then writes them in one transaction, under the queue. */
  private indexBatch(root: string, rels: string[], stats: ScanStats | undefined): Promise<void> {
    if (rels.length === 0) return Promise.resolve();
    return this.serial.run(async () => {
      if (this.closed) return;
      const prepared = await Promise.all(rels.map((rel) => this.prepare(root, rel)));
      // Security: FTS5 tokenises synchronously (tens of ms per MiB); one transaction per
      // TRANSACTION_TEXT of text, with a turn of the event loop between them, keeps each block short.
      for (const group of byTextSize(prepared, TRANSACTION_TEXT)) {
        if (this.closed) return;
        this.store.transaction(() => {
          for (const p of group) {
            if (p.kind === 'index') this.store.put(p.rel, p.mtimeMs, p.size, { title: p.title, text: p.text });
            else if (p.kind === 'skip') this.store.put(p.rel, p.mtimeMs, p.size);
            else if (p.kind === 'gone') this.store.remove(p.rel);
          }
        });
        await nextTurn();
      }
      if (stats) {
        for (const p of prepared) {
          if (p.kind === 'index') stats.indexed++;
          else if (p.kind === 'skip') stats.skipped++;
          else if (p.kind === 'unchanged') stats.unchanged++;
        }
      }
    });
  }

  private async prepare(root: string, rel: string): Promise<Prepared> {
    if (!this.filter.file(rel)) return { rel, kind: 'gone' };
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(path.join(root, ...rel.split('/')));
    } catch {
      return { rel, kind: 'gone' };
    }
    if (!st.isFile()) return { rel, kind: 'gone' };
    const known = this.store.getFile(rel);
    if (known && known.mtimeMs === st.mtimeMs && known.size === st.size) return { rel, kind: 'unchanged' };
    const loaded = await this.load(root, rel);
    switch (loaded.kind) {
      case 'missing':
        return { rel, kind: 'gone' };
      case 'too_large':
      case 'binary':
        return { rel, kind: 'skip', mtimeMs: loaded.mtimeMs, size: loaded.size };
      case 'text': {
        let doc: Awaited<ReturnType<typeof extractDocument>>;
        try {
          doc = await extractDocument(rel, loaded.source, { timeoutMs: EXTRACT_TIMEOUT_MS });
        } catch (error) {
          // Markup html-to-text cannot convert in time: remembered as not indexable until it changes.
          this.options.logger.warn('search index: could not extract text', {
            path: rel,
            error: error instanceof Error ? error.message : String(error),
          });
          return { rel, kind: 'skip', mtimeMs: loaded.mtimeMs, size: loaded.size };
        }
        return { rel, kind: 'index', mtimeMs: loaded.mtimeMs, size: loaded.size, title: doc.title, text: doc.text };
      }
    }
  }

  /** Reads one file through the confinement check, with the size cap and the binary sniff. */
  private async load(root: string, rel: string): Promise<Loaded> {
    const file = await openConfined(root, rel, { allowHardLinks: this.options.allowHardLinks });
    if (!file) return { kind: 'missing' };
    try {
      const { mtimeMs, size } = file.stat;
      if (size > this.maxFileBytes) return { kind: 'too_large', mtimeMs, size };
      const buffer = Buffer.alloc(size);
      const { bytesRead } = await file.handle.read(buffer, 0, size, 0);
      const content = buffer.subarray(0, bytesRead);
      if (looksBinary(content)) return { kind: 'binary', mtimeMs, size };
      return { kind: 'text', mtimeMs, size, source: new TextDecoder('utf-8').decode(content) };
    } finally {
      await file.handle.close();
    }
  }

  /** Forgets paths that no longer exist as indexable files (checked again under the queue). */
  private async removeIfGone(root: string | undefined, rels: string[]): Promise<number> {
    let removed = 0;
    for (let i = 0; i < rels.length; i += BATCH) {
      const chunk = rels.slice(i, i + BATCH);
      removed += await this.serial.run(async () => {
        let n = 0;
        for (const rel of chunk) {
          if (this.closed) return n;
          // Something created after the walk started is kept; a later event or scan indexes it.
          if (root && this.filter.file(rel) && (await isFile(path.join(root, ...rel.split('/'))))) continue;
          if (this.store.remove(rel)) n++;
        }
        return n;
      });
    }
    return removed;
  }

  /** Ranked hits with snippets, on this thread. Synchronous: prepared statements only, no file-system access. */
  search(query: string, limit: number): StoredHit[] {
    const match = matchExpressions(query);
    if (!match) return [];
    const hits = this.store.search(match.all, match.terms, limit);
    return finishHits(hits, wantsMore(hits, limit, match) ? this.store.search(match.any, match.terms, limit) : [], limit);
  }

  /**
   * The same hits, computed in a worker thread on a read-only connection and stopped by `signal`
   * (see searchOffThread.ts); what the search operation uses. An in-memory index (tests,
   * benchmarks) cannot be shared with another thread and is searched here.
   */
  async searchBounded(query: string, limit: number, signal?: AbortSignal): Promise<StoredHit[]> {
    const { dbPath } = this.options;
    if (dbPath === ':memory:') return this.search(query, limit);
    const match = matchExpressions(query);
    if (!match) return [];
    const { terms } = match;
    const hits = await searchOffThread({ dbPath, match: match.all, terms, limit }, signal);
    const more = wantsMore(hits, limit, match) ? await searchOffThread({ dbPath, match: match.any, terms, limit }, signal) : [];
    return finishHits(hits, more, limit);
  }

  /** The current text of one workspace document, read from disk under the same rules as indexing. */
  async read(relInput: string, signal?: AbortSignal): Promise<LocalDocument> {
    const rel = normalizeRelPath(relInput);
    // The message does not echo the id: it may hold whatever path a caller tried.
    const notFound = () =>
      new ToolError('NOT_FOUND', 'No workspace document has this id. Use an id exactly as search returned it, or search again.');
    if (!rel || !this.filter.file(rel)) throw notFound();
    const root = await this.root();
    if (!root) throw notFound();
    const loaded = await this.load(root, rel);
    if (loaded.kind === 'missing') throw notFound();
    if (loaded.kind === 'too_large') {
      throw new ToolError(
        'PAYLOAD_TOO_LARGE',
        `"${rel}" is ${loaded.size} bytes, more than the ${this.maxFileBytes} bytes fetch returns.`,
        { size: loaded.size, limit: this.maxFileBytes },
      );
    }
    if (loaded.kind === 'binary') throw new ToolError('NOT_FOUND', `"${rel}" is not a text document.`);
    const doc = await extractDocument(rel, loaded.source, { signal });
    return { path: rel, title: doc.title, text: doc.text, size: loaded.size, modified: new Date(loaded.mtimeMs) };
  }

  documentCount(): number {
    return this.store.documentCount();
  }

  /** Readiness: the database answers. */
  ping(): void {
    if (this.closed) throw new Error('search index is closed');
    this.store.ping();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    // Queued after any batch in progress, so no statement runs on a closed database.
    await this.serial.run(() => this.store.close());
    await this.scanning?.catch(() => undefined);
  }

  /** The workspace's real path (resolved once it exists), so containment checks compare like with like. */
  private async root(): Promise<string | undefined> {
    if (this.realRoot) return this.realRoot;
    try {
      this.realRoot = await realpath(this.options.workspaceDir);
    } catch {
      return undefined;
    }
    return this.realRoot;
  }
}

/** Whether the precise (all words) query found too little, so the any-word query should fill up. */
function wantsMore(hits: StoredHit[], limit: number, match: { all: string; any: string }): boolean {
  return hits.length < limit && match.any !== match.all;
}

/** The precise hits, then new ones from the fill-up query. */
function finishHits(hits: StoredHit[], more: StoredHit[], limit: number): StoredHit[] {
  const out = [...hits];
  const have = new Set(hits.map((h) => h.path));
  for (const hit of more) {
    if (out.length >= limit) break;
    if (!have.has(hit.path)) out.push(hit);
  }
  return out;
}

/** Consecutive groups of at most `limit` characters of text each (a larger document is a group of its own). */
function byTextSize(prepared: Prepared[], limit: number): Prepared[][] {
  const groups: Prepared[][] = [];
  let group: Prepared[] = [];
  let size = 0;
  for (const p of prepared) {
    const length = p.kind === 'index' ? p.text.length : 0;
    if (group.length > 0 && size + length > limit) {
      groups.push(group);
      group = [];
      size = 0;
    }
    group.push(p);
    size += length;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

async function isFile(absolute: string): Promise<boolean> {
  try {
    return (await stat(absolute)).isFile();
  } catch {
    return false;
  }
}

/**
 * For the benchmark and scripts: opens an index over a folder and brings it up to date.
 * `index.search(query, limit)` then runs a query directly; `index.close()` releases it.
 */
export async function buildLocalIndex(options: LocalIndexOptions): Promise<{ index: LocalIndex; stats: ScanStats }> {
  const index = LocalIndex.open(options);
  const stats = await index.scan();
  return { index, stats };
}

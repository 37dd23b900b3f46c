import { WorkerPool } from '../../../infra/workerPool.js';
import type { StoredHit } from './indexStore.js';

export interface SearchJob {
  dbPath: string;
  match: string;
  /** The query's words, for the snippet. */
  terms: string[];
  limit: number;
}

/**
 * An FTS5 query ranks every matching document, so its cost grows with the workspace (tens of ms
 * for common words over a few thousand documents). Security: queries run in worker threads on their own read-only connection (WAL lets them
 * read while the index writes), stopped with the call (see infra/workerPool).
 */
const pool = new WorkerPool<SearchJob, StoredHit[]>(
  new URL(`./searchWorker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
  { size: 2 },
);

export function searchOffThread(job: SearchJob, signal?: AbortSignal): Promise<StoredHit[]> {
  return pool.run(job, { signal });
}

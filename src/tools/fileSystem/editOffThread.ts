import { WorkerPool } from '../../infra/workerPool.js';
import type { TextEdit } from './textEdits.js';

export interface EditJob {
  text: string;
  edits: TextEdit[];
  /** The caller's path, for messages. */
  display: string;
  /** The path shown in the diff headers. */
  name: string;
}

export interface EditOutcome {
  newText: string;
  diff: string;
}

/**
 * Applying up to 100 edits to a 10 MiB file (a linear scan each) and diffing the result takes
 * seconds of CPU for large, very different texts. Security: it runs in a worker thread, stopped
 * with the call (see infra/workerPool), so it never holds the event loop. Errors (old_text not
 * found or not unique) come back as the same ToolErrors.
 */
const pool = new WorkerPool<EditJob, EditOutcome>(
  new URL(`./editWorker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
  {
    size: 2,
  },
);

export function editOffThread(job: EditJob, signal: AbortSignal): Promise<EditOutcome> {
  return pool.run(job, { signal });
}

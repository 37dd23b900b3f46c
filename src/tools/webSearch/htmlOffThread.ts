import { WorkerPool } from '../../infra/workerPool.js';

export interface HtmlText {
  title: string;
  text: string;
}

/**
 * html-to-text takes about a second per MiB and more on pathological markup (deep nesting, wide
 * tables); fetched pages and indexed files are caller-controlled. Security: it runs in worker
 * threads, stopped with the call (see infra/workerPool), never on the event loop.
 */
const pool = new WorkerPool<string, HtmlText>(new URL(`./htmlWorker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url), {
  size: 2,
});

export function htmlToTextOffThread(html: string, options: { signal?: AbortSignal; timeoutMs?: number }): Promise<HtmlText> {
  return pool.run(html, options);
}

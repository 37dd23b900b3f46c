import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';
import { ToolError, type ToolErrorCode } from '../core/errors.js';

/**
 * Runs CPU-heavy work on caller input (HTML → text, edit_file's replacements and diff) in worker
 * threads, where the call's time limit can stop it.
 *
 * Security: on the main thread such work blocks the event loop — every other request, /healthz
 * and the time limit itself wait until it is done. In a worker it runs beside the event loop, and
 * when the call is cancelled or times out the worker is terminated (V8 stops it mid-computation),
 * so no input can keep a CPU busy past its call. A replacement worker starts on the next job.
 */

interface JobMessage {
  id: number;
  request: unknown;
}

type ReplyMessage = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { code?: ToolErrorCode; message: string } };

export interface WorkerPoolOptions {
  /** Most workers running at once; further jobs wait. */
  size: number;
  /** An idle worker exits after this long (it is started again on demand). */
  idleMs?: number;
  /** Heap limit of one worker, so a huge input fails its job instead of the process. */
  maxHeapMb?: number;
}

export interface RunOptions {
  /** Aborting it terminates the job's worker; the job rejects with the signal's ToolError reason. */
  signal?: AbortSignal;
  /** Terminates the job after this long (for background work without a call signal). */
  timeoutMs?: number;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  idleTimer?: NodeJS.Timeout;
  settle?: (reply: ReplyMessage | Error) => void;
}

/** `.js` when running the build, `.ts` from sources (tests, `npm run dev`), where tsx must load it. */
function startWorker(entry: URL, maxHeapMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
  if (path.extname(fileURLToPath(entry)) !== '.ts') return new Worker(entry, { resourceLimits });
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const code = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { eval: true, resourceLimits });
}

export class WorkerPool<Request, Result> {
  private readonly slots: Slot[] = [];
  private readonly waiting: Array<() => void> = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly entry: URL,
    private readonly options: WorkerPoolOptions,
  ) {}

  async run(request: Request, options: RunOptions = {}): Promise<Result> {
    const { signal } = options;
    if (signal?.aborted) throw stopReason(signal);
    const slot = await this.acquire(signal);
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      const reply = await new Promise<ReplyMessage | Error>((resolve) => {
        slot.settle = resolve;
        const stop = (reason: Error) => {
          // Terminating is the only way to stop a computation in progress; the slot is replaced.
          this.discard(slot);
          resolve(reason);
        };
        onAbort = () => stop(stopReason(signal!));
        signal?.addEventListener('abort', onAbort, { once: true });
        if (options.timeoutMs !== undefined) {
          timer = setTimeout(() => stop(new ToolError('TIMEOUT', 'The work took too long and was stopped.')), options.timeoutMs);
        }
        slot.worker.postMessage({ id, request } satisfies JobMessage);
      });
      if (reply instanceof Error) throw reply;
      if (reply.ok) return reply.result as Result;
      throw reply.error.code ? new ToolError(reply.error.code, reply.error.message) : new Error(reply.error.message);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      slot.settle = undefined;
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate().catch(() => 0)));
  }

  private async acquire(signal: AbortSignal | undefined): Promise<Slot> {
    for (;;) {
      if (this.closed) throw new ToolError('UNAVAILABLE', 'The server is shutting down.');
      const idle = this.slots.find((slot) => !slot.busy);
      if (idle) {
        clearTimeout(idle.idleTimer);
        idle.busy = true;
        return idle;
      }
      if (this.slots.length < this.options.size) {
        const slot = this.spawn();
        slot.busy = true;
        return slot;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      if (signal?.aborted) throw stopReason(signal);
    }
  }

  private release(slot: Slot): void {
    slot.busy = false;
    if (this.slots.includes(slot)) {
      slot.idleTimer = setTimeout(() => this.discard(slot), this.options.idleMs ?? 30_000);
      slot.idleTimer.unref();
    }
    this.waiting.shift()?.();
  }

  private spawn(): Slot {
    const worker = startWorker(this.entry, this.options.maxHeapMb ?? 512);
    const slot: Slot = { worker, busy: false };
    worker.unref(); // an idle pool never keeps the process alive
    worker.on('message', (reply: ReplyMessage) => slot.settle?.(reply));
    const gone = (error?: Error) => {
      this.discard(slot);
      slot.settle?.(new ToolError('UNAVAILABLE', `The worker stopped unexpectedly${error ? ` (${error.message})` : ''}; retry the call.`));
    };
    worker.on('error', gone);
    worker.on('exit', () => gone());
    this.slots.push(slot);
    return slot;
  }

  private discard(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    clearTimeout(slot.idleTimer);
    void slot.worker.terminate().catch(() => 0);
  }
}

function stopReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof ToolError ? reason : new ToolError('CANCELLED', 'The request was cancelled.');
}

/** The worker side: answers each job with `handler`'s result, or its error (ToolErrors keep their code). */
export function serveJobs<Request, Result>(handler: (request: Request) => Result | Promise<Result>): void {
  const port = parentPort;
  if (!port) throw new Error('serveJobs must run in a worker thread');
  port.on('message', async ({ id, request }: JobMessage) => {
    try {
      port.postMessage({ id, ok: true, result: await handler(request as Request) } satisfies ReplyMessage);
    } catch (error) {
      const code = error instanceof ToolError ? error.code : undefined;
      const message = error instanceof Error ? error.message : String(error);
      port.postMessage({ id, ok: false, error: { code, message } } satisfies ReplyMessage);
    }
  });
}

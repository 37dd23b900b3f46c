import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from 'winston';
import { ToolError } from '../../../core/errors.js';
import { refuse } from '../refusals.js';
import type { SqliteQueryReply, SqliteQueryRequest } from './sqliteQuery.js';
import type { SqliteWriteReply, SqliteWriteRequest } from './sqliteWrite.js';

/** What a query process runs: one read-only statement, or one write transaction. */
export type ProcessRequest = { query: SqliteQueryRequest } | { write: SqliteWriteRequest };
type ProcessReply = SqliteQueryReply | SqliteWriteReply;

const here = fileURLToPath(import.meta.url);
// `.js` when running the build, `.ts` when running from sources (tests, `npm run dev`).
const ext = path.extname(here);
const ENTRY = path.join(path.dirname(here), `queryProcess${ext}`);
const IDLE_MS = 60_000;

function execArgv(): string[] {
  if (ext !== '.ts') return [];
  // From TypeScript sources the child needs the same loader the parent runs under.
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

const unavailable = () => new ToolError('UNAVAILABLE', 'The SQLite query process could not start or stopped unexpectedly; retry the call.');

/** One forked process running one statement at a time. */
class QueryProcess {
  readonly ready: Promise<void>;
  exited = false;
  idleTimer?: NodeJS.Timeout;
  private readonly child: ChildProcess;
  private nextId = 1;
  private pending?: { id: number; resolve: (reply: ProcessReply) => void; reject: (error: Error) => void };

  constructor(logger: Logger) {
    this.child = fork(ENTRY, [], { execArgv: execArgv(), stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
    this.ready = new Promise<void>((resolve, reject) => {
      this.child.on('message', (message: { ready?: boolean; id?: number; reply?: ProcessReply }) => {
        if (message.ready) return resolve();
        if (this.pending && message.id === this.pending.id && message.reply) {
          const { resolve: done } = this.pending;
          this.pending = undefined;
          done(message.reply);
        }
      });
      const onGone = (error?: Error) => {
        if (this.exited) return;
        this.exited = true;
        if (error) logger.warn('sqlite query process failed', { error: error.message });
        reject(unavailable());
        this.pending?.reject(unavailable());
        this.pending = undefined;
      };
      this.child.on('exit', () => onGone());
      this.child.on('error', onGone);
    });
    this.ready.catch(() => {});
  }

  run(request: ProcessRequest): Promise<ProcessReply> {
    if (this.exited) return Promise.reject(unavailable());
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending = { id, resolve, reject };
      this.child.send({ id, request }, (error) => {
        if (error && this.pending?.id === id) {
          this.pending = undefined;
          reject(unavailable());
        }
      });
    });
  }

  /** An idle process must not keep the server alive; a busy one must (a script awaiting a query). */
  setBusy(busy: boolean): void {
    if (this.exited) return;
    if (busy) {
      this.child.ref();
      this.child.channel?.ref();
    } else {
      this.child.unref();
      this.child.channel?.unref();
    }
  }

  /** Marks the process dead at once (before its exit event) so it is never handed out again. */
  kill(): void {
    clearTimeout(this.idleTimer);
    if (this.exited) return;
    this.exited = true;
    this.child.kill('SIGKILL');
    this.pending?.reject(unavailable());
    this.pending = undefined;
  }
}

/**
 * Runs SQLite queries in child processes so a statement can be stopped at its time limit.
 * better-sqlite3 has no interrupt, and a worker thread cannot be stopped while SQLite is inside a
 * long native step (worker.terminate() waits for it, and the thread keeps burning CPU): a process
 * can always be killed. Processes start on demand (up to `size`), are reused, and retire when idle.
 */
export class QueryProcessPool {
  private readonly all = new Set<QueryProcess>();
  private readonly idle: QueryProcess[] = [];
  private readonly waiters: { resolve: (p: QueryProcess) => void; reject: (e: Error) => void }[] = [];
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly logger: Logger,
  ) {}

  query(request: SqliteQueryRequest, timeoutMs: number, signal: AbortSignal): Promise<SqliteQueryReply> {
    // The child answers a { query } request with a query reply (queryProcess.ts).
    return this.run({ query: request }, timeoutMs, signal) as Promise<SqliteQueryReply>;
  }

  write(request: SqliteWriteRequest, timeoutMs: number, signal: AbortSignal): Promise<SqliteWriteReply> {
    // The child answers a { write } request with a write reply (queryProcess.ts).
    return this.run({ write: request }, timeoutMs, signal) as Promise<SqliteWriteReply>;
  }

  private async run(request: ProcessRequest, timeoutMs: number, signal: AbortSignal): Promise<ProcessReply> {
    const proc = await this.acquire(signal);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      return await new Promise<ProcessReply>((resolve, reject) => {
        // Security: the time limit is enforced by killing the process that runs the statement.
        timer = setTimeout(() => {
          proc.kill();
          reject(refuse.timeout(timeoutMs));
        }, timeoutMs);
        onAbort = () => {
          proc.kill();
          reject(refuse.cancelled());
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        proc.run(request).then(resolve, reject);
      });
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
      this.release(proc);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(unavailable());
    for (const proc of this.all) proc.kill();
    this.all.clear();
    this.idle.length = 0;
  }

  private async acquire(signal: AbortSignal): Promise<QueryProcess> {
    if (this.closed) throw unavailable();
    if (signal.aborted) throw refuse.cancelled();
    while (this.idle.length > 0) {
      const proc = this.idle.pop()!;
      clearTimeout(proc.idleTimer);
      if (!proc.exited) {
        proc.setBusy(true);
        return proc;
      }
      this.all.delete(proc);
    }
    if (this.all.size < this.size) return this.spawn();
    return new Promise<QueryProcess>((resolve, reject) => {
      const waiter = {
        resolve: (p: QueryProcess) => {
          signal.removeEventListener('abort', onAbort);
          resolve(p);
        },
        reject,
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(refuse.cancelled());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private async spawn(): Promise<QueryProcess> {
    const proc = new QueryProcess(this.logger);
    this.all.add(proc);
    try {
      await proc.ready;
      return proc;
    } catch (error) {
      this.all.delete(proc);
      throw error;
    }
  }

  private release(proc: QueryProcess): void {
    if (this.closed || proc.exited) {
      this.all.delete(proc);
      proc.kill();
      // A killed process frees a slot: start a fresh one for the next caller in line.
      const waiter = this.waiters.shift();
      if (waiter && !this.closed) this.spawn().then(waiter.resolve, waiter.reject);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.resolve(proc);
      return;
    }
    proc.setBusy(false);
    proc.idleTimer = setTimeout(() => this.retire(proc), IDLE_MS);
    proc.idleTimer.unref();
    this.idle.push(proc);
  }

  private retire(proc: QueryProcess): void {
    const i = this.idle.indexOf(proc);
    if (i >= 0) this.idle.splice(i, 1);
    this.all.delete(proc);
    proc.kill();
  }
}

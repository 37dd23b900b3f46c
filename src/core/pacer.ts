import { setImmediate as nextTurn } from 'node:timers/promises';
import { ToolError } from './errors.js';

/** How long one stretch of work may hold the event loop before it lets other requests run. */
export const SLICE_MS = 10;

/** Stops long work once the call was cancelled or timed out (the executor already answered). */
export function throwIfAborted(signal: AbortSignal): void {
  if (!signal.aborted) return;
  const reason: unknown = signal.reason;
  throw reason instanceof ToolError ? reason : new ToolError('CANCELLED', 'The request was cancelled.');
}

/**
 * Cooperative time slicing for loops whose length a caller controls (walking a folder of 100 000
 * names, matching globs, scanning an index).
 *
 * Security: an `await` on an already-settled promise does not let the event loop run (it is a
 * microtask), so an async loop over in-memory data can still freeze the server. Loops call
 * `tick()` (or `due()` + `pause()`) between items: every SLICE_MS the work yields a real turn of
 * the event loop, so health checks, other calls and the call's own time limit get to run, and the
 * work stops there once its call was cancelled or timed out.
 */
export class Pacer {
  private since = performance.now();

  constructor(
    private readonly signal?: AbortSignal,
    private readonly sliceMs = SLICE_MS,
  ) {}

  /** Whether the current slice is used up. Cheap enough to call per item. */
  due(): boolean {
    return performance.now() - this.since >= this.sliceMs;
  }

  /** Yields one turn of the event loop, then throws if the call was stopped meanwhile. */
  async pause(): Promise<void> {
    await nextTurn();
    this.since = performance.now();
    if (this.signal) throwIfAborted(this.signal);
  }

  /** `pause()` when the slice is used up; otherwise nothing. */
  async tick(): Promise<void> {
    if (this.due()) await this.pause();
  }
}

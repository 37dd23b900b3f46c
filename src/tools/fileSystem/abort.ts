import { ToolError } from '../../core/errors.js';

/** Stops long work once the call was cancelled or timed out (the executor already answered). */
export function throwIfAborted(signal: AbortSignal): void {
  if (!signal.aborted) return;
  const reason: unknown = signal.reason;
  throw reason instanceof ToolError ? reason : new ToolError('CANCELLED', 'The request was cancelled.');
}

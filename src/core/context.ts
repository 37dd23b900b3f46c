import type { Logger } from 'winston';
import type { Caller } from './caller.js';

export type Dialect = 'mcp' | 'envelope';

export interface ProgressUpdate {
  progress: number;
  total?: number;
  message?: string;
}

/** The request's world, handed to every handler. Handlers never reach for globals. */
export interface CallContext {
  caller: Caller;
  requestId: string;
  dialect: Dialect;
  /** Session named by the caller (envelope `metadata.session_id`, or an MCP tool argument). */
  sessionId?: string;
  /** Aborted on cancellation, client disconnect or the per-call time limit. Pass it to your I/O. */
  signal: AbortSignal;
  logger: Logger;
  /** Report progress on long work; a no-op when the caller did not ask for progress. */
  progress: (update: ProgressUpdate) => void;
}

import type { Caller } from '../core/caller.js';
import type { Dialect } from '../core/context.js';

/** What the pipeline learns about a request, stored on `res.locals` so every stage can read it. */
export interface RequestState {
  requestId: string;
  startedAt: number;
  dialect?: Dialect;
  caller?: Caller;
  /** Filled by the dialect for the access log. */
  tool?: string;
  operation?: string;
  outcome?: string;
  batchSize?: number;
}

export function stateOf(res: { locals: Record<string, unknown> }): RequestState {
  return res.locals.state as RequestState;
}

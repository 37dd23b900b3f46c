import type { AccessDecision } from '../core/access.js';
import type { Caller } from '../core/caller.js';
import type { Dialect } from '../core/context.js';
import type { RequestFacts } from './requestFacts.js';

/** What the pipeline learns about a request, stored on `res.locals` so every stage can read it. */
export interface RequestState {
  requestId: string;
  startedAt: number;
  dialect?: Dialect;
  /** What the request is, read once after the body parses (requestFacts.ts). */
  facts?: RequestFacts;
  caller?: Caller;
  /** The access decision for what the call names, kept once decided (accessDecision.ts). */
  access?: { key: string; caller: Caller; decision: AccessDecision };
  /** Filled by the dialect for the access log. */
  tool?: string;
  operation?: string;
  outcome?: string;
  batchSize?: number;
}

export function stateOf(res: { locals: Record<string, unknown> }): RequestState {
  return res.locals.state as RequestState;
}

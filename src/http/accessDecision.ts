import {
  accessKey,
  decideAccess,
  type AccessDecision,
  type AccessSources,
  type AccessTarget,
  type CallDecision,
  type ResourceDecision,
} from '../core/access.js';
import type { RequestState } from './requestState.js';

/**
 * The request's access decision (core/access.ts), decided by the first stage that needs it after
 * authentication (the OAuth step-up stage, else the dialect) and kept on the state, so later
 * stages read the same value instead of deciding again. A batch names several targets: a target
 * other than the kept one is decided afresh (the decision is pure, so either way it is the same).
 */
export function accessOf(state: RequestState, sources: AccessSources, target: { kind: 'resources' }): ResourceDecision;
export function accessOf(state: RequestState, sources: AccessSources, target: Exclude<AccessTarget, { kind: 'resources' }>): CallDecision;
export function accessOf(state: RequestState, sources: AccessSources, target: AccessTarget): AccessDecision {
  const { caller } = state;
  if (!caller) throw new Error('access decided before authentication');
  const key = accessKey(target);
  // Security: a kept decision is reused only for the same caller and the same target.
  if (state.access?.key === key && state.access.caller === caller) return state.access.decision;
  const decision = decideAccess(sources, caller, target);
  state.access = { key, caller, decision };
  return decision;
}

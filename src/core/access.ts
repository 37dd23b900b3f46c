import { hasScope, type Caller, type Scope } from './caller.js';
import { ToolError } from './errors.js';
import type { ToolOperation } from './operation.js';
import type { RegisteredOperation, Registry } from './registry.js';
import type { ResourceTable } from './resourceTable.js';

/**
 * What a call names, as its dialect spells it: an MCP tool name, an envelope tool and operation,
 * or the resource methods (resources/list, resources/templates/list, resources/read).
 */
export type AccessTarget =
  | { kind: 'mcp_tool'; name: string }
  | { kind: 'envelope_call'; tool: string; operation: string }
  | { kind: 'resources' };

export type Unknown = { kind: 'unknown'; part: 'tool' | 'operation' };
/** Configuration switched the operation off (e.g. FS_READ_ONLY): it is never callable. */
export type Withheld = { kind: 'withheld'; reason: string };
export type OutOfScope = {
  kind: 'outOfScope';
  needed: Scope;
  /** OAuth step-up: the WWW-Authenticate value to re-authorize with; absent when the caller cannot step up. */
  challenge?: string;
};

/** May this caller run the tool operation a call names, and if not, why. */
export type CallDecision =
  | { kind: 'allowed'; entry: RegisteredOperation }
  | Unknown
  | Withheld
  | (OutOfScope & { entry: RegisteredOperation });
/** May this caller use the resource methods (they need the read scope). */
export type ResourceDecision = { kind: 'allowed' } | Unknown | OutOfScope;
export type AccessDecision = CallDecision | ResourceDecision;

/** What a decision is made from; fixed when the app starts. */
export interface AccessSources {
  registry: Registry;
  resources?: ResourceTable;
  /** OAuth step-up: the challenge inviting `caller` to re-authorize with `needed` (undefined: none applies). */
  stepUp?: (caller: Caller, needed: Scope) => string | undefined;
}

function scoped<T extends object>(
  sources: AccessSources,
  caller: Caller,
  needed: Scope,
  detail: T,
): ({ kind: 'allowed' } & T) | (OutOfScope & T) {
  // Security: no scope implies another (hasScope); every dialect and the HTTP step-up stage render this one answer.
  if (hasScope(caller, needed)) return { kind: 'allowed', ...detail };
  const challenge = sources.stepUp?.(caller, needed);
  return { kind: 'outOfScope', needed, ...(challenge ? { challenge } : {}), ...detail };
}

/**
 * The one decision on whether `caller` may run what a call names: pure (no I/O, no request
 * state), so the HTTP step-up stage and each dialect read the same answer and only render it.
 * The executor keeps its own scope check as the backstop on the shared path.
 */
export function decideAccess(sources: AccessSources, caller: Caller, target: { kind: 'resources' }): ResourceDecision;
export function decideAccess(sources: AccessSources, caller: Caller, target: Exclude<AccessTarget, { kind: 'resources' }>): CallDecision;
export function decideAccess(sources: AccessSources, caller: Caller, target: AccessTarget): AccessDecision;
export function decideAccess(sources: AccessSources, caller: Caller, target: AccessTarget): AccessDecision {
  const { registry } = sources;
  switch (target.kind) {
    case 'resources':
      if (!sources.resources || sources.resources.empty) return { kind: 'unknown', part: 'tool' };
      return scoped(sources, caller, 'read', {});
    case 'mcp_tool': {
      const entry = registry.byMcpName(target.name);
      if (entry) return scoped(sources, caller, entry.op.scope, { entry });
      const reason = registry.withheldMcpReason(target.name);
      return reason ? { kind: 'withheld', reason } : { kind: 'unknown', part: 'tool' };
    }
    case 'envelope_call': {
      // A tool none of whose operations is served is unknown, even if configuration withheld them.
      if (!registry.hasTool(target.tool)) return { kind: 'unknown', part: 'tool' };
      const entry = registry.byEnvelope(target.tool, target.operation);
      if (entry) return scoped(sources, caller, entry.op.scope, { entry });
      const reason = registry.withheldReason(target.tool, target.operation);
      return reason ? { kind: 'withheld', reason } : { kind: 'unknown', part: 'operation' };
    }
  }
}

/** A stable key for a target: the same key, caller and sources always decide the same. */
export function accessKey(target: AccessTarget): string {
  switch (target.kind) {
    case 'resources':
      return 'resources';
    case 'mcp_tool':
      return `mcp\u0000${target.name}`;
    case 'envelope_call':
      return `envelope\u0000${target.tool}\u0000${target.operation}`;
  }
}

/** The refusal of an operation the caller lacks the scope for, as the executor and the envelope word it. */
export function outOfScopeError(op: ToolOperation): ToolError {
  return new ToolError('FORBIDDEN', `${op.tool}.${op.operation} needs the "${op.scope}" scope, which this credential does not have.`);
}

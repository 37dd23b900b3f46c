/** Who is calling: the result of authentication, carried on every request. */
/** `exec` (run commands with the process tool) is never implied by `read` or `write`. */
export type Scope = 'read' | 'write' | 'exec';

/** Every scope, in the order they are listed to people (consent, scope challenges, docs). */
export const ALL_SCOPES: readonly Scope[] = ['read', 'write', 'exec'];

export interface Caller {
  /** Stable identity used for rate limits, sessions and cache partitioning (e.g. `key:ci`, `oauth:<sub>`). */
  id: string;
  /** Human-readable name for logs (the API key's name, the token's subject or client). */
  name: string;
  scopes: ReadonlySet<Scope>;
  via: 'api_key' | 'oauth' | 'none';
}

export function hasScope(caller: Caller, scope: Scope): boolean {
  // Security: no scope implies another: `write` does not grant `read`, and neither grants `exec`.
  return caller.scopes.has(scope);
}

/**
 * AUTH_MODE=none: everything, exec included (the process tool still needs PROCESS_ENABLED=true;
 * AUTH_MODE=none is refused on a reachable address without AUTH_NONE_ALLOW_REMOTE=true).
 */
export const ANONYMOUS_FULL_ACCESS: Caller = Object.freeze({
  id: 'anonymous',
  name: 'anonymous',
  scopes: new Set<Scope>(['read', 'write', 'exec']),
  via: 'none' as const,
});

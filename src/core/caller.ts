/** Who is calling: the result of authentication, carried on every request. */
export type Scope = 'read' | 'write';

export interface Caller {
  /** Stable identity used for rate limits, sessions and cache partitioning (e.g. `key:ci`, `oauth:<sub>`). */
  id: string;
  /** Human-readable name for logs (the API key's name, the token's subject or client). */
  name: string;
  scopes: ReadonlySet<Scope>;
  via: 'api_key' | 'oauth' | 'none';
}

export function hasScope(caller: Caller, scope: Scope): boolean {
  // Security: `write` implies `read` only when explicitly granted; never infer write from read.
  return caller.scopes.has(scope);
}

export const ANONYMOUS_FULL_ACCESS: Caller = Object.freeze({
  id: 'anonymous',
  name: 'anonymous',
  scopes: new Set<Scope>(['read', 'write']),
  via: 'none' as const,
});

import { ALL_SCOPES, type Scope } from '../../core/caller.js';

/** Which token scope names grant this server's permissions (OAUTH_SCOPE_READ / _WRITE / _EXEC). */
export interface ScopeNames {
  read: string;
  write: string;
  exec: string;
}

function tokensOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * Maps a token's scopes to read/write/exec. Both `scope` (RFC 9068/8693: space-separated) and `scp`
 * (an array at Okta and others, a space-separated string at Microsoft Entra) are read.
 * Security: only exact scope names count; no scope implies another (`exec` least of all), as for API keys.
 */
export function grantedScopes(claims: { scope?: unknown; scp?: unknown }, names: ScopeNames): Set<Scope> {
  const granted = new Set([...tokensOf(claims.scope), ...tokensOf(claims.scp)]);
  const scopes = new Set<Scope>();
  if (granted.has(names.read)) scopes.add('read');
  if (granted.has(names.write)) scopes.add('write');
  if (granted.has(names.exec)) scopes.add('exec');
  return scopes;
}

/** Our permissions written back as the token scope names a client should request. */
export function scopeNamesFor(scopes: Iterable<Scope>, names: ScopeNames): string[] {
  const wanted = new Set(scopes);
  return ALL_SCOPES.filter((s) => wanted.has(s)).map((s) => names[s]);
}

import { ConfigError, readBool, readEnum, readOptionalString, type Env } from './env.js';
import type { Scope } from '../core/caller.js';

export type AuthMode = 'api_key' | 'oauth' | 'both' | 'none';

export interface ApiKeyEntry {
  name: string;
  key: string;
  scopes: Scope[];
}

export interface AuthConfig {
  mode: AuthMode;
  apiKeys: ApiKeyEntry[];
  /** Security: no-auth on a non-loopback address needs this second, explicit switch. */
  allowUnauthenticatedRemote: boolean;
}

const SCOPES: readonly Scope[] = ['read', 'write', 'exec'];

/**
 * `name:key:scopes` entries, comma-separated, scopes joined by `+` (e.g. `ci:s3cret:read+write`).
 * `exec` (the process tool) is granted only to keys that name it (`ops:s3cret:read+write+exec`).
 */
export function parseApiKeys(value: string | undefined): ApiKeyEntry[] {
  if (!value) return [];
  const expected = 'comma-separated name:key:scopes entries, scopes read, write and/or exec joined by + (e.g. ci:s3cret:read+write)';
  const entries: ApiKeyEntry[] = [];
  for (const item of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const parts = item.split(':');
    if (parts.length !== 3) throw new ConfigError('MCP_API_KEYS', expected, `${parts[0] ?? ''}:…`);
    const [name, key, scopeText] = parts as [string, string, string];
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name))
      throw new ConfigError('MCP_API_KEYS', `${expected}; key names use letters, digits, _ . -`, name);
    if (key.length < 8) throw new ConfigError('MCP_API_KEYS', `${expected}; the key for "${name}" must be at least 8 characters`);
    const scopes = scopeText.split('+').map((s) => s.trim());
    for (const s of scopes) {
      if (!(SCOPES as readonly string[]).includes(s)) throw new ConfigError('MCP_API_KEYS', `${expected}; unknown scope for "${name}"`, s);
    }
    if (entries.some((e) => e.name === name)) throw new ConfigError('MCP_API_KEYS', `${expected}; duplicate key name`, name);
    entries.push({ name, key, scopes: [...new Set(scopes)] as Scope[] });
  }
  return entries;
}

export function parseAuthConfig(env: Env): AuthConfig {
  return {
    mode: readEnum(env, 'AUTH_MODE', ['api_key', 'oauth', 'both', 'none'] as const, 'api_key'),
    apiKeys: parseApiKeys(readOptionalString(env, 'MCP_API_KEYS')),
    allowUnauthenticatedRemote: readBool(env, 'AUTH_NONE_ALLOW_REMOTE', false),
  };
}

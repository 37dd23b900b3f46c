import type { Caller, Scope } from '../../core/caller.js';
import { hasScope } from '../../core/caller.js';
import { scopeNamesFor, type ScopeNames } from './scopes.js';

export type ChallengeError = 'invalid_token' | 'insufficient_scope';

/** RFC 7235 quoted-string: backslash-escape quotes and backslashes. */
function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** API keys only: there is nothing to discover, so the challenge just names the scheme. */
export function apiKeyChallenge(error?: ChallengeError): string {
  return `Bearer realm="mcp"${error ? `, error=${quoted(error)}` : ''}`;
}

export interface OAuthChallengeOptions {
  resourceMetadataUrl: string;
  scopeNames: ScopeNames;
  /** The permissions a client should ask for up front (exec only when the process tool is on). */
  offered?: readonly Scope[];
}

/**
 * The 401 challenge MCP clients start OAuth discovery from (RFC 9728 §5.1, RFC 6750 §3):
 * `Bearer resource_metadata="…", scope="…"`, plus `error="invalid_token"` when a token was sent
 * but refused. `scope` lists the permissions offered (read and write, plus exec when the process tool is on)
 * so clients ask for them up front.
 */
export function oauthChallenge(options: OAuthChallengeOptions): (error?: ChallengeError) => string {
  const scope = scopeNamesFor(options.offered ?? ['read', 'write'], options.scopeNames).join(' ');
  const metadata = `resource_metadata=${quoted(options.resourceMetadataUrl)}`;
  return (error) => {
    // A valid token carrying none of our scopes: ask for them (step-up), do not call it invalid.
    if (error === 'insufficient_scope') return `Bearer error="insufficient_scope", scope=${quoted(scope)}, ${metadata}`;
    return `Bearer ${metadata}, scope=${quoted(scope)}${error ? `, error=${quoted(error)}` : ''}`;
  };
}

/**
 * The step-up challenge for an OAuth caller whose token lacks the scope an operation needs:
 * `Bearer error="insufficient_scope", scope="<held + needed>", resource_metadata="…"`, the set
 * the client should re-authorize with (MCP authorization, scope challenge handling).
 * Undefined when the caller has the scope or is not an OAuth caller (an API key cannot step up).
 */
export function insufficientScopeChallenge(options: OAuthChallengeOptions): (caller: Caller, needed: Scope) => string | undefined {
  return (caller, needed) => {
    if (caller.via !== 'oauth' || hasScope(caller, needed)) return undefined;
    const scope = scopeNamesFor([...caller.scopes, needed], options.scopeNames).join(' ');
    const description = `This operation needs the ${options.scopeNames[needed]} scope; re-authorize with scope "${scope}".`;
    return `Bearer error="insufficient_scope", scope=${quoted(scope)}, resource_metadata=${quoted(options.resourceMetadataUrl)}, error_description=${quoted(description)}`;
  };
}

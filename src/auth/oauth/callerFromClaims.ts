import type { Caller } from '../../core/caller.js';
import type { AuthResult } from '../authenticator.js';
import { grantedScopes, type ScopeNames } from './scopes.js';

/**
 * A verified token's claims become the caller. The id is `oauth:<sub>` (client-credentials
 * tokens without a subject fall back to their client_id), kept apart from API keys' `key:` ids.
 */
export function callerFromClaims(claims: Record<string, unknown>, names: ScopeNames): AuthResult {
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : typeof claims.azp === 'string' ? claims.azp : undefined;
  const subject = typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : clientId;
  if (!subject) return { ok: false, reason: 'invalid', message: 'The access token names no subject (sub) or client (client_id).' };
  const caller: Caller = {
    id: `oauth:${subject}`,
    name: clientId ?? subject,
    scopes: grantedScopes(claims, names),
    via: 'oauth',
  };
  return { ok: true, caller };
}

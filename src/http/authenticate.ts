import type { RequestHandler } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import { AuthUnavailableError } from '../auth/oauth/errors.js';
import { ANONYMOUS_FULL_ACCESS } from '../core/caller.js';
import { dialectFor } from './dialect.js';
import { replyIds } from './requestFacts.js';
import { sendError } from './errorReply.js';
import { stateOf } from './requestState.js';

export interface AuthenticateOptions {
  /** Empty = no-auth mode (explicitly configured): every caller is anonymous with full access. */
  authenticators: Authenticator[];
  /** Builds the WWW-Authenticate challenge (OAuth adds resource_metadata and scope). */
  challenge: (error?: 'invalid_token' | 'insufficient_scope') => string;
}

const QUERY_TOKEN_NAMES = ['access_token', 'token', 'api_key', 'apikey', 'key', 'auth', 'authorization'];

/** Verifies `Authorization: Bearer …` and puts the caller on the request state. */
export function authenticate(options: AuthenticateOptions): RequestHandler {
  return async function checkBearerToken(req, res, next) {
    const state = stateOf(res);
    const dialect = dialectFor(req, res);
    const ids = replyIds(state.facts);
    const deny = (message: string, error?: 'invalid_token') =>
      sendError(res, dialect, {
        status: 401,
        code: 'UNAUTHORIZED',
        message,
        headers: { 'WWW-Authenticate': options.challenge(error) },
        ...ids,
      });

    // Security: credentials in the URL end up in proxy and access logs; refuse them outright.
    const query = req.query as Record<string, unknown>;
    if (QUERY_TOKEN_NAMES.some((name) => query[name] !== undefined)) {
      deny('Credentials in the query string are refused. Send them as "Authorization: Bearer <token>".', 'invalid_token');
      return;
    }
    if (options.authenticators.length === 0) {
      state.caller = ANONYMOUS_FULL_ACCESS;
      return next();
    }
    const header = req.get('authorization');
    if (!header) {
      deny('Authentication required: send "Authorization: Bearer <token>".');
      return;
    }
    const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
    if (!match) {
      deny('Malformed Authorization header: expected "Bearer <token>".', 'invalid_token');
      return;
    }
    const token = match[1]!;
    try {
      for (const authenticator of options.authenticators) {
        const result = await authenticator.authenticate(token);
        if (!result) continue;
        if (!result.ok) {
          deny(result.message, 'invalid_token');
          return;
        }
        state.caller = result.caller;
        // A valid OAuth token that carries none of our scopes: ask for them (step-up), not 401.
        if (result.caller.scopes.size === 0) {
          sendError(res, dialect, {
            status: 403,
            code: 'FORBIDDEN',
            message: "This access token grants none of this server's scopes. Re-authorize with the scopes named in WWW-Authenticate.",
            headers: { 'WWW-Authenticate': options.challenge('insufficient_scope') },
            ...ids,
          });
          return;
        }
        return next();
      }
    } catch (error) {
      // The authorization server is down: our outage, not a bad token (a 401 would send the client re-authorizing).
      if (error instanceof AuthUnavailableError) {
        sendError(res, dialect, {
          status: 503,
          code: 'UNAVAILABLE',
          message: 'The access token cannot be checked right now (the authorization server is unreachable). Retry shortly.',
          headers: { 'Retry-After': '5' },
          ...ids,
        });
        return;
      }
      return next(error);
    }
    deny('Invalid or unknown bearer token.', 'invalid_token');
  };
}

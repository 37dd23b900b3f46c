/**
 * The authorization server (its metadata, keys or introspection endpoint) could not be reached
 * or answered nonsense. This is our outage, not a bad token: the caller gets 503 and retries,
 * instead of a 401 that would send it into a pointless re-authorization loop.
 */
export class AuthUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthUnavailableError';
  }
}

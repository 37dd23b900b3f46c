import { safeFetch } from '../../tools/webSearch/web/safeFetch.js';
import type { Resolver } from '../../tools/webSearch/web/resolveTarget.js';

/** Client ID Metadata Documents are small JSON files; anything bigger is refused. */
export const METADATA_MAX_BYTES = 5 * 1024;
export const METADATA_TIMEOUT_MS = 5_000;

/**
 * The `fetch` oidc-provider uses for every outbound request (Client ID Metadata Documents, a
 * client's jwks_uri), routed through the server's SSRF-safe fetcher.
 * Security: a client_id URL is chosen by whoever starts an authorization, so fetching it is an SSRF
 * vector: every hop is resolved and checked against private, loopback and link-local addresses,
 * no redirect is followed, and time and size are capped. logo_uri and other URLs inside the
 * document are never fetched.
 */
export function metadataFetch(options: { allowedTargets?: ReadonlySet<string>; resolve?: Resolver } = {}) {
  return async (url: string | URL, init: { signal?: AbortSignal; headers?: HeadersInit } = {}): Promise<Response> => {
    const fetched = await safeFetch(String(url), {
      allowedTargets: options.allowedTargets ?? new Set(),
      timeoutMs: METADATA_TIMEOUT_MS,
      maxBytes: METADATA_MAX_BYTES + 1,
      maxRedirects: 0,
      acceptContentType: (type) => type === 'application/json' || type.endsWith('+json'),
      resolve: options.resolve,
      signal: init.signal,
    });
    if (fetched.truncated || fetched.body.length > METADATA_MAX_BYTES)
      throw new Error(`the document is larger than ${METADATA_MAX_BYTES} bytes`);
    return new Response(fetched.status === 204 || fetched.status === 304 ? null : new Uint8Array(fetched.body), {
      status: fetched.status,
      headers: { 'content-type': fetched.contentType, 'content-length': String(fetched.body.length) },
    });
  };
}

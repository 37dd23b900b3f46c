import { isToolError } from '../../core/errors.js';
import { safeFetch } from '../../tools/webSearch/web/safeFetch.js';
import type { Resolver } from '../../tools/webSearch/web/resolveTarget.js';

/** Client ID Metadata Documents are small JSON files; anything bigger is refused. */
export const METADATA_MAX_BYTES = 5 * 1024;
// oidc-provider aborts its own outbound requests after 2.5 s; the same limit here, stated once.
export const METADATA_TIMEOUT_MS = 2_500;

/**
 * Why a client's document could not be used, worded for the page the person authorizing sees
 * (renderError shows this message and no other cause, so nothing internal leaks through it).
 */
export class MetadataFetchError extends Error {
  override name = 'MetadataFetchError';
}

/**
 * The `fetch` oidc-provider uses for every outbound request (Client ID Metadata Documents, a
 * client's jwks_uri), routed through the server's SSRF-safe fetcher.
 * Security: a client_id URL is chosen by whoever starts an authorization, so fetching it is an SSRF
 * vector: every hop is resolved and checked against private, loopback and link-local addresses
 * (unless OAUTH_METADATA_ALLOWED_HOSTS names the host and port), no redirect is followed, and time
 * and size are capped. logo_uri and other URLs inside the document are never fetched.
 */
export function metadataFetch(options: { allowedTargets?: ReadonlySet<string>; resolve?: Resolver } = {}) {
  return async (url: string | URL, init: { signal?: AbortSignal; headers?: HeadersInit } = {}): Promise<Response> => {
    const href = String(url);
    let fetched: Awaited<ReturnType<typeof safeFetch>>;
    try {
      fetched = await safeFetch(href, {
        allowedTargets: options.allowedTargets ?? new Set(),
        timeoutMs: METADATA_TIMEOUT_MS,
        maxBytes: METADATA_MAX_BYTES + 1,
        maxRedirects: 0,
        // Checked below, to name the right type in the refusal.
        acceptContentType: () => true,
        resolve: options.resolve,
        signal: init.signal,
      });
    } catch (error) {
      throw new MetadataFetchError(reasonOf(error, href));
    }
    const mediaType = fetched.contentType.split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/json' && !mediaType.endsWith('+json'))
      throw new MetadataFetchError(`${href} is served as ${mediaType || 'an unknown type'}, not as application/json`);
    if (fetched.truncated || fetched.body.length > METADATA_MAX_BYTES)
      throw new MetadataFetchError(`the document at ${href} is larger than ${METADATA_MAX_BYTES} bytes`);
    return new Response(fetched.status === 204 || fetched.status === 304 ? null : new Uint8Array(fetched.body), {
      status: fetched.status,
      headers: { 'content-type': fetched.contentType, 'content-length': String(fetched.body.length) },
    });
  };
}

/**
 * Security: a name that does not resolve and one that resolves to a private address get the same
 * answer, so the authorize endpoint (open to anyone) is no oracle for the server's internal DNS.
 */
function reasonOf(error: unknown, href: string): string {
  if (!isToolError(error)) return `${href} could not be fetched`;
  let origin = href;
  try {
    origin = new URL(href).origin;
  } catch {}
  const reason = error.details?.reason;
  if (error.code === 'FORBIDDEN' || reason === 'unresolved')
    return `${origin} is not a public address, and client metadata is fetched only from public addresses; an operator can allow an internal client host with OAUTH_METADATA_ALLOWED_HOSTS`;
  if (error.code === 'TIMEOUT' || error.code === 'CANCELLED') return `${href} did not answer in time`;
  const status = error.details?.status;
  if (typeof status === 'number') return `${href} answered HTTP ${status}`;
  if (reason === 'redirects') return `${href} redirects elsewhere; the document must be served at the client_id URL itself`;
  if (reason === 'tls')
    return `${origin} presented a TLS certificate this server does not trust (an operator trusts a private CA with NODE_EXTRA_CA_CERTS)`;
  return `${href} could not be fetched`;
}

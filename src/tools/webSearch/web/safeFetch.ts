import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { ToolError, isToolError, type ToolErrorCode } from '../../../core/errors.js';
import { hostKey, resolveTarget, systemResolver, type ResolvedAddress, type Resolver } from './resolveTarget.js';

export interface SafeFetchOptions {
  /** `host:port` targets (as `targetKey` spells them) that may resolve to non-public addresses. */
  allowedTargets: ReadonlySet<string>;
  /** Whole fetch, all redirect hops included. */
  timeoutMs: number;
  /** Decoded body bytes kept; the rest is not read. */
  maxBytes: number;
  maxRedirects: number;
  /** Decides from the response's media type (lower case, no parameters) whether to read the body. */
  acceptContentType: (mediaType: string) => boolean;
  resolve?: Resolver;
  signal?: AbortSignal;
}

export interface FetchedResponse {
  /** Final URL, after redirects. */
  url: URL;
  status: number;
  /** The Content-Type header as sent (may carry a charset). */
  contentType: string;
  body: Buffer;
  truncated: boolean;
  redirects: number;
}

const USER_AGENT = 'mcp-tool-server/0.1 (web_search fetch)';
const ACCEPT = 'text/html,application/xhtml+xml,text/plain;q=0.9,application/json;q=0.9,application/xml;q=0.8,text/*;q=0.7';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Parses a caller-supplied URL for fetching.
 *
 * Security: only http and https; `file:`, `gopher:`, `data:`, `ftp:` … are refused. Credentials in
 * the URL are refused so they are never sent anywhere on a caller's behalf.
 */
export function parseWebUrl(raw: string, code: ToolErrorCode = 'INVALID_PARAMS'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolError(code, 'fetch needs an absolute http:// or https:// URL (or an id returned by search).');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ToolError(code, `fetch only reads http:// and https:// URLs, not ${url.protocol} ones.`, { reason: 'scheme' });
  }
  if (url.username || url.password) {
    throw new ToolError(code, 'fetch does not send credentials: remove the user:password@ part of the URL.', { reason: 'credentials' });
  }
  return url;
}

/**
 * GET one web page under the SSRF guard: every hop's host is resolved once and checked
 * (resolveTarget), the socket connects to exactly that checked address, redirects are followed by
 * hand and re-checked, and time, redirect count, media type and body size are capped.
 */
export async function safeFetch(rawUrl: string, options: SafeFetchOptions): Promise<FetchedResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const resolve = options.resolve ?? systemResolver;
  let url = parseWebUrl(rawUrl);
  try {
    for (let redirects = 0; ; redirects++) {
      const target = await abortable(resolveTarget(url, options.allowedTargets, resolve), signal);
      const response = await request(url, target, signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (REDIRECT_STATUSES.has(status) && location) {
        response.destroy();
        if (redirects >= options.maxRedirects) {
          throw new ToolError(
            'UPSTREAM_ERROR',
            `${rawUrl} redirected more than ${options.maxRedirects} times; fetch stopped following it.`,
            { reason: 'redirects' },
          );
        }
        let next: string;
        try {
          next = new URL(location, url).href;
        } catch {
          throw new ToolError('UPSTREAM_ERROR', `${url.href} redirected to an invalid URL.`);
        }
        // Security: a redirect is a new request: scheme, credentials and address are checked again.
        url = parseWebUrl(next, 'FORBIDDEN');
        continue;
      }
      if (status < 200 || status > 299) {
        response.destroy();
        throw statusError(status, url);
      }
      const contentType = String(response.headers['content-type'] ?? '');
      const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
      if (!options.acceptContentType(mediaType)) {
        response.destroy();
        throw new ToolError(
          'UPSTREAM_ERROR',
          `${url.href} is ${mediaType || 'of an unknown type'}; fetch only reads text, HTML, JSON and XML pages.`,
          { contentType: mediaType || null },
        );
      }
      const { body, truncated } = await readCapped(response, options.maxBytes);
      return { url, status, contentType, body, truncated, redirects };
    }
  } catch (error) {
    if (timeout.aborted) {
      throw new ToolError('TIMEOUT', `Fetching ${rawUrl} took longer than ${options.timeoutMs} ms and was stopped.`);
    }
    if (signal.aborted) throw new ToolError('CANCELLED', 'The request was cancelled.');
    if (isToolError(error)) throw error;
    const reason = networkReason(error);
    throw new ToolError(
      'UPSTREAM_ERROR',
      `Could not fetch ${url.href}: ${reason}.`,
      reason === TLS_REFUSED ? { reason: 'tls' } : undefined,
    );
  }
}

function request(url: URL, target: ResolvedAddress, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      {
        protocol: url.protocol,
        hostname: hostKey(url),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        // A fresh socket per hop: a pooled one might belong to an address checked for another URL.
        agent: false,
        signal,
        headers: { 'user-agent': USER_AGENT, accept: ACCEPT, 'accept-encoding': 'gzip, deflate, br' },
        lookup: pinnedLookup(target),
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * A `lookup` that answers with the address resolveTarget checked.
 * Security: the socket never asks DNS a second time, which defeats DNS-rebinding TOCTOU.
 */
function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    if (all) cb(null, [{ address: target.address, family: target.family }]);
    else cb(null, target.address, target.family);
  }) as LookupFunction;
}

async function readCapped(response: http.IncomingMessage, maxBytes: number): Promise<{ body: Buffer; truncated: boolean }> {
  const encoding = String(response.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  const decoder = decoderFor(encoding);
  if (decoder === null) {
    response.destroy();
    throw new ToolError('UPSTREAM_ERROR', `The page uses an unsupported content encoding (${encoding}).`);
  }
  // Security: the cap counts decoded bytes, so a small compressed body cannot expand without bound.
  const stream: Readable = decoder ? pipeline(response, decoder, () => {}) : response;
  const chunks: Buffer[] = [];
  let total = 0;
  let truncated = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const room = maxBytes - total;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        total += room;
        truncated = true;
        break;
      }
      chunks.push(chunk);
      total += chunk.length;
    }
  } finally {
    response.destroy();
  }
  return { body: Buffer.concat(chunks, total), truncated };
}

/** undefined = identity, null = unsupported. */
function decoderFor(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined | null {
  switch (encoding) {
    case '':
    case 'identity':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return null;
  }
}

function statusError(status: number, url: URL): ToolError {
  if (status === 404 || status === 410) {
    return new ToolError('NOT_FOUND', `${url.href} answered HTTP ${status} (not found). Search again for a current link.`, { status });
  }
  if (status === 429) {
    return new ToolError('RATE_LIMITED', `${url.host} answered HTTP 429 (too many requests). Try again later.`, { status });
  }
  return new ToolError('UPSTREAM_ERROR', `${url.href} answered HTTP ${status}.`, { status });
}

const TLS_REFUSED = 'its TLS certificate was not accepted';

function networkReason(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'the connection was refused';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the host is unreachable';
    default:
      if (typeof code === 'string' && (code.startsWith('ERR_TLS') || code.includes('CERT'))) return TLS_REFUSED;
      return 'the connection failed';
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

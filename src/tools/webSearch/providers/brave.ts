import type { Logger } from 'winston';
import { ToolError } from '../../../core/errors.js';
import { htmlFragmentToText } from '../htmlText.js';
import { redact, upstreamDetail } from './redact.js';
import type { SearchHit, SearchProvider } from './types.js';
import { getUpstream } from './upstream.js';

export interface BraveOptions {
  apiKey: string;
  /** The web-search endpoint (BRAVE_API_URL), https://api.search.brave.com/res/v1/web/search by default. */
  endpoint: URL;
  timeoutMs: number;
  logger: Logger;
}

/** Brave returns at most 20 web results per request. */
const BRAVE_MAX_COUNT = 20;

interface BraveError {
  code?: unknown;
  detail?: unknown;
  status?: unknown;
}

/**
 * Brave Search web API: GET `?q=…&count=…` with `X-Subscription-Token`; success is
 * `{ web: { results: [{ title, url, description }] } }` (no `web` key when nothing matched);
 * errors are `{ type: "ErrorResponse", error: { code, detail, status } }` (newer docs: `errors: [...]`).
 */
export function createBraveProvider(options: BraveOptions): SearchProvider {
  const secrets = [options.apiKey];
  return {
    name: 'brave',
    async search(query, limit, signal) {
      const url = new URL(options.endpoint);
      url.searchParams.set('q', query);
      url.searchParams.set('count', String(Math.min(limit, BRAVE_MAX_COUNT)));
      const started = performance.now();
      const { status, headers, json } = await getUpstream({
        provider: 'Brave Search',
        url,
        // Security: the key travels only in this header; it is never logged or put in a message.
        headers: { accept: 'application/json', 'accept-encoding': 'gzip', 'x-subscription-token': options.apiKey },
        timeoutMs: options.timeoutMs,
        signal,
      });
      options.logger.debug('brave search', { status, ms: Math.round(performance.now() - started) });
      if (status !== 200) throw braveError(status, headers, json, secrets, options.logger);
      if (typeof json !== 'object' || json === null) {
        throw new ToolError('UPSTREAM_ERROR', 'Brave Search answered with something that is not JSON. Try again later.');
      }
      const results = (json as { web?: { results?: unknown } }).web?.results ?? [];
      if (!Array.isArray(results)) throw new ToolError('UPSTREAM_ERROR', 'Brave Search answered in an unexpected format.');
      return toHits(results, limit, secrets);
    },
  };
}

function toHits(results: Array<Record<string, unknown>>, limit: number, secrets: string[]): SearchHit[] {
  const hits: SearchHit[] = [];
  const seen = new Set<string>();
  for (const result of results) {
    if (hits.length >= limit) break;
    const url = result?.url;
    if (typeof url !== 'string' || !/^https?:\/\//i.test(url) || seen.has(url)) continue;
    seen.add(url);
    const title = typeof result.title === 'string' && result.title.trim() ? htmlFragmentToText(redact(result.title, secrets)) : url;
    const snippet =
      typeof result.description === 'string' ? upstreamDetail(htmlFragmentToText(result.description), secrets, 500) : undefined;
    hits.push({ id: url, title, url, ...(snippet ? { snippet } : {}) });
  }
  return hits;
}

function braveError(status: number, headers: Headers, body: unknown, secrets: string[], logger: Logger): ToolError {
  const raw = body as { error?: BraveError; errors?: BraveError[] } | undefined;
  const error: BraveError = raw?.error ?? raw?.errors?.[0] ?? {};
  const code = typeof error.code === 'string' ? redact(error.code, secrets).slice(0, 64) : undefined;
  const detail = upstreamDetail(error.detail, secrets);
  logger.warn('brave search failed', { status, code });
  const details = { provider: 'brave', status, ...(code ? { code } : {}) };

  if (
    status === 401 ||
    status === 403 ||
    code === 'SUBSCRIPTION_TOKEN_INVALID' ||
    code === 'SUBSCRIPTION_TOKEN_MISSING' ||
    code === 'SUBSCRIPTION_NOT_FOUND'
  ) {
    return new ToolError(
      'UPSTREAM_ERROR',
      `Brave Search rejected this server's API key (${code ?? `HTTP ${status}`}). The operator must check BRAVE_API_KEY; meanwhile use another provider.`,
      details,
    );
  }
  if (status === 429) {
    // X-RateLimit-Reset lists seconds until each window (per second, per month) resets.
    const reset = Number(headers.get('x-ratelimit-reset')?.split(',')[0]?.trim());
    const retry = Number.isFinite(reset) && reset > 0 ? { retryAfterSeconds: reset } : {};
    const why =
      code === 'QUOTA_LIMITED' ? "this server's Brave Search quota is used up for the current period" : 'too many searches in a short time';
    return new ToolError(
      'RATE_LIMITED',
      `Brave Search refused the request: ${why}. Try again later${retry.retryAfterSeconds ? ` (in about ${retry.retryAfterSeconds} s)` : ''}, or use another provider.`,
      { ...details, ...retry },
    );
  }
  if (status === 422 || status === 400) {
    return new ToolError(
      'INVALID_PARAMS',
      `Brave Search rejected the query${detail ? `: ${detail}` : ''}. Brave accepts at most 400 characters and 50 words.`,
      details,
    );
  }
  return new ToolError(
    'UPSTREAM_ERROR',
    `Brave Search answered HTTP ${status}${detail ? ` (${detail})` : ''}. Try again later, or use another provider.`,
    details,
  );
}

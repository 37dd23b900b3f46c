import type { Logger } from 'winston';
import { ToolError } from '../../../core/errors.js';
import { htmlFragmentToText } from '../htmlText.js';
import { upstreamDetail } from './redact.js';
import type { SearchHit, SearchProvider } from './types.js';
import { getUpstream } from './upstream.js';

export interface SearxngOptions {
  /** Base URL of the instance; may carry `user:password@` for an instance behind basic auth. */
  baseUrl: URL;
  timeoutMs: number;
  logger: Logger;
}

interface SearxngResult {
  url?: unknown;
  title?: unknown;
  content?: unknown;
}

/** SearXNG's JSON API: GET `<base>/search?q=…&format=json` → `{ results: [{ url, title, content, … }] }`. */
export function createSearxngProvider(options: SearxngOptions): SearchProvider {
  const endpoint = new URL('search', options.baseUrl.href.endsWith('/') ? options.baseUrl : `${options.baseUrl.href}/`);
  const headers: Record<string, string> = { accept: 'application/json' };
  const secrets: string[] = [];
  if (endpoint.username || endpoint.password) {
    // Security: fetch() refuses URLs with credentials; send them as a header and keep them out of messages.
    const user = decodeURIComponent(endpoint.username);
    const password = decodeURIComponent(endpoint.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    if (password) secrets.push(password);
    endpoint.username = '';
    endpoint.password = '';
  }

  return {
    name: 'searxng',
    async search(query, limit, signal) {
      const url = new URL(endpoint);
      url.searchParams.set('q', query);
      url.searchParams.set('format', 'json');
      url.searchParams.set('pageno', '1');
      const started = performance.now();
      const { status, json } = await getUpstream({ provider: 'SearXNG', url, headers, timeoutMs: options.timeoutMs, signal });
      options.logger.debug('searxng search', { status, ms: Math.round(performance.now() - started) });
      if (status !== 200) throw searxngError(status, options.logger);
      const results = (json as { results?: unknown } | undefined)?.results;
      if (!Array.isArray(results)) {
        throw new ToolError(
          'UPSTREAM_ERROR',
          'SearXNG answered without a result list. Check that SEARXNG_URL points at a SearXNG instance.',
        );
      }
      return toHits(results as SearxngResult[], limit, secrets);
    },
  };
}

function toHits(results: SearxngResult[], limit: number, secrets: string[]): SearchHit[] {
  const hits: SearchHit[] = [];
  const seen = new Set<string>();
  for (const result of results) {
    if (hits.length >= limit) break;
    if (typeof result.url !== 'string' || !/^https?:\/\//i.test(result.url) || seen.has(result.url)) continue;
    seen.add(result.url);
    const title = typeof result.title === 'string' && result.title.trim() ? htmlFragmentToText(result.title) : result.url;
    const snippet = typeof result.content === 'string' ? upstreamDetail(htmlFragmentToText(result.content), secrets, 500) : undefined;
    hits.push({ id: result.url, title, url: result.url, ...(snippet ? { snippet } : {}) });
  }
  return hits;
}

function searxngError(status: number, logger: Logger): ToolError {
  logger.warn('searxng search failed', { status });
  if (status === 429) {
    return new ToolError(
      'RATE_LIMITED',
      'SearXNG refused the search because of its rate limiter (HTTP 429). Try again later; the operator can exempt this server in the limiter settings.',
      { provider: 'searxng', status },
    );
  }
  if (status === 403) {
    return new ToolError(
      'UPSTREAM_ERROR',
      'SearXNG refused the JSON API (HTTP 403). The operator must add "json" to search.formats in its settings.yml.',
      { provider: 'searxng', status },
    );
  }
  return new ToolError('UPSTREAM_ERROR', `SearXNG answered HTTP ${status}. Try again later, or use another provider.`, {
    provider: 'searxng',
    status,
  });
}

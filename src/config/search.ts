import { compileGlob } from '../core/glob.js';
import { readAllowedTargets } from './allowedTargets.js';
import { ConfigError, readBool, readEnum, readInt, readList, readOptionalString, readUrl, type Env } from './env.js';

export type SearchProviderName = 'local' | 'searxng' | 'brave';

/** web_search tool settings (issue: web_search tool). */
export interface SearchConfig {
  /** Provider used when a call names none. */
  provider: SearchProviderName;
  /** Self-hosted SearXNG base URL (its JSON API is `<url>/search?format=json`). */
  searxngUrl?: URL;
  braveApiKey?: string;
  /** Brave web-search endpoint; overridable for tests and egress proxies. */
  braveApiUrl: URL;
  /** Time limit for one call to a search provider. */
  searchTimeoutMs: number;
  /** Result-cache lifetime of `search` (0 = not cached). */
  searchCacheTtlMs: number;
  /** Result-cache lifetime of `fetch` (0 = not cached). */
  fetchCacheTtlMs: number;
  /** Local index: periodic rescan for changes made outside the server (0 = off). */
  rescanIntervalMs: number;
  /** Local index: files larger than this are not indexed (nor fetched). */
  indexMaxFileBytes: number;
  /** Local index: how long `search` waits for the first build before answering from a partial index. */
  indexWaitMs: number;
  /** Local index: extra globs (workspace-relative, core/glob syntax) that are never indexed. */
  indexExclude: string[];
  /** Whether `fetch` may read http(s) URLs at all. */
  fetchWebEnabled: boolean;
  /**
   * `host:port` targets (`[v6]:port` for IPv6) `fetch` may reach even though they resolve to
   * non-public addresses; from FETCH_ALLOWED_HOSTS, a bare host meaning ports 80 and 443.
   */
  fetchAllowedTargets: string[];
  fetchTimeoutMs: number;
  fetchMaxBytes: number;
  fetchMaxRedirects: number;
}

export const DEFAULT_BRAVE_API_URL = 'https://api.search.brave.com/res/v1/web/search';

export function parseSearchConfig(env: Env): SearchConfig {
  const provider = readEnum(env, 'SEARCH_PROVIDER', ['local', 'searxng', 'brave'] as const, 'local');
  const searxngUrl = readUrl(env, 'SEARXNG_URL', ['http', 'https']);
  const braveApiKey = readOptionalString(env, 'BRAVE_API_KEY');
  if (provider === 'searxng' && !searxngUrl) {
    throw new ConfigError('SEARXNG_URL', 'set (e.g. http://127.0.0.1:8080) when SEARCH_PROVIDER=searxng');
  }
  if (provider === 'brave' && !braveApiKey) {
    throw new ConfigError('BRAVE_API_KEY', 'set when SEARCH_PROVIDER=brave');
  }
  const webProvider = Boolean(searxngUrl || braveApiKey);
  return {
    provider,
    searxngUrl,
    braveApiKey,
    braveApiUrl: readUrl(env, 'BRAVE_API_URL', ['http', 'https']) ?? new URL(DEFAULT_BRAVE_API_URL),
    searchTimeoutMs: readInt(env, 'SEARCH_TIMEOUT_MS', 10_000, 100, 300_000),
    searchCacheTtlMs: readInt(env, 'SEARCH_CACHE_TTL_MS', 30_000, 0, 86_400_000),
    fetchCacheTtlMs: readInt(env, 'FETCH_CACHE_TTL_MS', 60_000, 0, 86_400_000),
    rescanIntervalMs: readInt(env, 'SEARCH_RESCAN_INTERVAL_MS', 60_000, 0, 86_400_000),
    indexMaxFileBytes: readInt(env, 'SEARCH_INDEX_MAX_FILE_BYTES', 1024 * 1024, 1, 256 * 1024 * 1024),
    indexWaitMs: readInt(env, 'SEARCH_INDEX_WAIT_MS', 5000, 0, 600_000),
    indexExclude: readList(env, 'SEARCH_INDEX_EXCLUDE').map(checkGlob),
    // Without a web provider the server is offline by default: reading arbitrary URLs must be opted into.
    fetchWebEnabled: readBool(env, 'FETCH_WEB_ENABLED', webProvider),
    fetchAllowedTargets: readAllowedTargets(env, 'FETCH_ALLOWED_HOSTS', [80, 443]),
    fetchTimeoutMs: readInt(env, 'FETCH_TIMEOUT_MS', 15_000, 100, 300_000),
    fetchMaxBytes: readInt(env, 'FETCH_MAX_BYTES', 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    fetchMaxRedirects: readInt(env, 'FETCH_MAX_REDIRECTS', 5, 0, 20),
  };
}

function checkGlob(pattern: string): string {
  try {
    compileGlob(pattern);
  } catch (error) {
    throw new ConfigError('SEARCH_INDEX_EXCLUDE', `comma-separated globs (${error instanceof Error ? error.message : 'invalid'})`, pattern);
  }
  return pattern;
}

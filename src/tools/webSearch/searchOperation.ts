import type { SearchProviderName } from '../../config/search.js';
import { ToolError } from '../../core/errors.js';
import { defineOperation, type ToolAnnotations, type ToolOperation } from '../../core/operation.js';
import { fileId, fileUrl } from './ids.js';
import type { LocalIndex } from './local/localIndex.js';
import type { SearchHit, SearchProvider } from './providers/types.js';
import { DEFAULT_LIMIT, searchInputSchema, searchOutputSchema } from './schemas.js';

export interface SearchParams {
  query: string;
  limit?: number;
  provider?: SearchProviderName;
}

export interface SearchResult {
  results: SearchHit[];
  note?: string;
}

export interface SearchDeps {
  index: LocalIndex;
  providers: ReadonlyMap<SearchProviderName, SearchProvider>;
  defaultProvider: SearchProviderName;
  annotations: ToolAnnotations;
  /** How long a local search waits for the first index build. */
  indexWaitMs: number;
  cacheTtlMs: number;
  /** Brings this replica's index up to date with writes made through other replicas (with Redis). */
  catchUp?: () => Promise<void>;
}

/** Cache tag every local search and fetch carries; file_system writes invalidate it. */
export const WORKSPACE_TAG = 'fs:*';

export function createSearchOperation(deps: SearchDeps): ToolOperation<SearchParams, SearchResult> {
  const names: SearchProviderName[] = ['local', ...deps.providers.keys()];
  const where =
    names.length > 1
      ? `Searches ${deps.defaultProvider === 'local' ? "this server's workspace" : 'the web'} unless provider says otherwise.`
      : "Searches this server's workspace (text, Markdown, code, JSON, HTML).";
  return defineOperation<SearchParams, SearchResult>({
    tool: 'web_search',
    operation: 'search',
    mcpName: 'search',
    title: 'Search',
    description:
      `Find documents matching a query, best first, as {"results":[{"id","title","url","snippet"}]}. ${where} ` +
      'Then fetch an id for the full text. No results: try other words.',
    inputSchema: searchInputSchema(names, deps.defaultProvider),
    outputSchema: searchOutputSchema,
    annotations: deps.annotations,
    scope: 'read',
    cache:
      deps.cacheTtlMs > 0
        ? {
            ttlMs: deps.cacheTtlMs,
            // Local results depend on every workspace file, so any file_system write drops them.
            tags: (params) =>
              (params.provider ?? deps.defaultProvider) === 'local'
                ? [WORKSPACE_TAG]
                : [`search:${params.provider ?? deps.defaultProvider}`],
          }
        : undefined,
    async handler(params, ctx) {
      const provider = params.provider ?? deps.defaultProvider;
      const limit = params.limit ?? DEFAULT_LIMIT;
      if (provider === 'local') {
        // Answer from what is indexed once the wait is over, rather than stalling on a huge first build.
        const complete = await deps.index.waitForFirstScan(deps.indexWaitMs, ctx.signal);
        // Security: a file deleted through another replica must not be found here once that delete
        // has returned (its snippet would leak content that no longer exists).
        await deps.catchUp?.();
        const results = (await deps.index.searchBounded(params.query, limit, ctx.signal)).map((hit) => ({
          id: fileId(hit.path),
          title: hit.title,
          url: fileUrl(hit.path),
          ...(hit.snippet ? { snippet: hit.snippet } : {}),
        }));
        return complete
          ? { results }
          : {
              results,
              note: `The workspace index is still being built (${deps.index.documentCount()} documents so far); results may be incomplete. Search again shortly.`,
            };
      }
      const backend = deps.providers.get(provider);
      if (!backend)
        throw new ToolError(
          'INVALID_PARAMS',
          `The search provider "${provider}" is not configured on this server. Use one of: ${names.join(', ')}.`,
        );
      return { results: await backend.search(params.query, limit, ctx.signal) };
    },
  });
}

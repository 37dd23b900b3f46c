import path from 'node:path';
import type { SearchProviderName } from '../../config/search.js';
import type { ToolAnnotations } from '../../core/operation.js';
import type { ToolEnv, ToolFactory, ToolModule } from '../../core/toolModule.js';
import { createFetchOperation } from './fetchOperation.js';
import { acquireConfiguredRedis } from '../../infra/redis.js';
import { WorkspaceChangeLog } from '../../infra/workspaceChangeLog.js';
import { LocalIndex } from './local/localIndex.js';
import { ReplicaSync } from './local/replicaSync.js';
import type { SearchProvider } from './providers/types.js';
import { createSearchOperation } from './searchOperation.js';
import type { Resolver } from './web/resolveTarget.js';

export { buildLocalIndex, LocalIndex } from './local/localIndex.js';

/** File name of the local index inside DATA_DIR. */
export const INDEX_FILE = 'search-index.sqlite';

/**
 * web_search: `search` and `fetch` in the shape ChatGPT deep research requires. The local
 * workspace index is always available; SearXNG and Brave are added when configured.
 */
export const createWebSearchTool: ToolFactory = (env) => createWebSearchModule(env);

/** The factory, with a DNS resolver that tests can replace. */
export async function createWebSearchModule(env: ToolEnv, testing: { resolve?: Resolver } = {}): Promise<ToolModule> {
  const config = env.config.search;
  const index = LocalIndex.open({
    workspaceDir: env.config.server.workspaceDir,
    dbPath: path.join(env.config.server.dataDir, INDEX_FILE),
    logger: env.logger,
    maxFileBytes: config.indexMaxFileBytes,
    exclude: config.indexExclude,
    allowHardLinks: env.config.fileSystem.allowHardLinks,
  });

  // The web providers (and html-to-text, which cleans their snippets) load only when configured.
  const providers = new Map<SearchProviderName, SearchProvider>();
  if (config.searxngUrl) {
    const { createSearxngProvider } = await import('./providers/searxng.js');
    providers.set('searxng', createSearxngProvider({ baseUrl: config.searxngUrl, timeoutMs: config.searchTimeoutMs, logger: env.logger }));
  }
  if (config.braveApiKey) {
    const { createBraveProvider } = await import('./providers/brave.js');
    providers.set(
      'brave',
      createBraveProvider({
        apiKey: config.braveApiKey,
        endpoint: config.braveApiUrl,
        timeoutMs: config.searchTimeoutMs,
        logger: env.logger,
      }),
    );
  }

  // openWorldHint says whether a call can reach outside this server: true only when a web
  // provider or web fetching is on. A local-only deployment is a closed world.
  const annotations: ToolAnnotations = {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: providers.size > 0 || config.fetchWebEnabled,
  };

  // Replicas sharing Redis share the workspace but not the index: a change log in Redis carries
  // each replica's writes to the others' indexes before their next search (see replicaSync.ts).
  const redis = acquireConfiguredRedis(env.config.scale, env.logger);
  const sync = redis ? new ReplicaSync(new WorkspaceChangeLog(redis, env.logger), index, env.logger) : undefined;
  // The log position is taken before the first scan starts, so the scan covers everything before it.
  await sync?.init();

  const unsubscribe = env.workspaceEvents.on(async (change) => {
    await index.applyChange(change);
    await sync?.publish(change);
  });
  index.start(config.rescanIntervalMs);

  return {
    name: 'web_search',
    operations: [
      createSearchOperation({
        index,
        providers,
        defaultProvider: config.provider,
        annotations,
        indexWaitMs: config.indexWaitMs,
        cacheTtlMs: config.searchCacheTtlMs,
        catchUp: sync ? () => sync.catchUp() : undefined,
      }),
      createFetchOperation({
        index,
        annotations,
        webEnabled: config.fetchWebEnabled,
        allowedTargets: new Set(config.fetchAllowedTargets),
        timeoutMs: config.fetchTimeoutMs,
        maxBytes: config.fetchMaxBytes,
        maxRedirects: config.fetchMaxRedirects,
        cacheTtlMs: config.fetchCacheTtlMs,
        resolve: testing.resolve,
      }),
    ],
    // Readiness is the index database answering; web providers are not probed (that would spend quota).
    ready: async () => index.ping(),
    close: async () => {
      unsubscribe();
      sync?.close();
      await index.close();
      await redis?.release();
    },
  };
}

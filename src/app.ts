import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import type { Logger } from 'winston';
import { ApiKeyAuthenticator } from './auth/apiKeys.js';
import type { Authenticator } from './auth/authenticator.js';
import type { AuthorizationServer } from './auth/authServer/index.js';
import type { LoginMethod } from './auth/authServer/login.js';
import { apiKeyChallenge, createOAuthResourceServer } from './auth/oauth/index.js';
import { mcpStepUp } from './auth/oauth/mcpStepUp.js';
import type { Config } from './config/index.js';
import type { AccessSources } from './core/access.js';
import { Executor } from './core/executor.js';
import { Registry, withheldOperations } from './core/registry.js';
import { ResourceTable } from './core/resourceTable.js';
import type { ToolFactory, ToolModule } from './core/toolModule.js';
import { mcpEndpoint } from './dialects/mcp/handler.js';
import { createConformanceFixtures } from './dialects/mcp/conformance/index.js';
import { engineEndpoint } from './dialects/mcp/engine/index.js';
import { mcpServerBuilder, mcpServerFactory } from './dialects/mcp/serverFactory.js';
import { envelopeEndpoint } from './dialects/envelope/handler.js';
import { accessLog } from './http/accessLog.js';
import { allowedMethods, type RouteMethods } from './http/allowedMethods.js';
import { noStoreByDefault } from './http/cachePolicy.js';
import { compressJson } from './http/compress.js';
import { authenticate } from './http/authenticate.js';
import { cancelByNotice } from './http/cancelByNotice.js';
import { chain } from './http/chain.js';
import { dialectFor } from './http/dialect.js';
import { readRequestFacts } from './http/requestFacts.js';
import { sendError } from './http/errorReply.js';
import { healthRoutes, moduleReadiness, pingReadiness, type ReadinessCheck } from './http/health.js';
import { metricsRoute, requestMetrics } from './http/metrics.js';
import { corsForMcp, hostGuard, originGuard, originPolicy } from './http/hostAndOrigin.js';
import { jsonBody } from './http/jsonBody.js';
import { rateLimits } from './http/rateLimit.js';
import { requestId } from './http/requestId.js';
import { wellKnownRoutes } from './http/wellKnown.js';
import { stateOf } from './http/requestState.js';
import type { ResultCache } from './infra/cache.js';
import { acquireConfiguredRedis } from './infra/redis.js';
import { createResultCache } from './infra/sharedCache.js';
import { recordToolOutcome } from './infra/metrics.js';
import { WorkspaceEvents } from './infra/workspaceEvents.js';
import { WorkspaceWatcher } from './infra/workspaceWatcher.js';
import { TEMP_PREFIX } from './tools/fileSystem/atomicWrite.js';
import { writeInvalidates } from './tools/fileSystem/cacheTags.js';
import { createDiscoveryTool } from './tools/discovery/index.js';
import { TOOL_FACTORIES } from './tools/index.js';
import { SERVER_INFO, SERVER_INSTRUCTIONS } from './serverInfo.js';

/**
 * Every route and the methods it serves; anything else is a 405 (allowedMethods). MCP in the
 * stateless 2025 mode and in 2026-07-28 is POST only: GET (an SSE stream) and DELETE (a session
 * end) have nothing to serve here.
 */
const ROUTE_METHODS: RouteMethods[] = [
  { path: '/mcp', methods: ['POST'] },
  { path: '/healthz', methods: ['GET'] },
  { path: '/readyz', methods: ['GET'] },
  { path: '/metrics', methods: ['GET'] },
  { path: '/.well-known/', methods: ['GET'] },
];

function isMcpPost(req: Request): boolean {
  return req.method === 'POST' && /^\/mcp\/?$/i.test(req.path);
}

export interface AppOptions {
  config: Config;
  logger: Logger;
  /** Defaults to every tool; tests may pass a subset. */
  toolFactories?: ToolFactory[];
  /** Extra /readyz checks (e.g. Redis) besides each tool's ready(). */
  readinessChecks?: ReadinessCheck[];
  /** Who approves on the built-in authorization server's consent page (default: the API key). */
  login?: LoginMethod;
}

export interface App {
  app: Express;
  registry: Registry;
  modules: ToolModule[];
  cache: ResultCache;
  /** The built-in authorization server (OAUTH_SERVER=builtin). */
  authServer?: AuthorizationServer;
  /** Releases tool resources, the cache and the MCP handler. */
  close: () => Promise<void>;
}

/** Wires the request pipeline from config and services; nothing else. */
export async function createApp(options: AppOptions): Promise<App> {
  const { config, logger } = options;
  const workspaceEvents = new WorkspaceEvents();
  let watcher: WorkspaceWatcher | undefined;
  // First listener, so it runs before the index applies a change (see WorkspaceWatcher.noteApplied).
  workspaceEvents.on((change) => watcher?.noteApplied(change.kind === 'move' ? [change.from, change.to] : [change.path]));
  const modules: ToolModule[] = [];
  let registry: Registry | undefined;
  let cache: ResultCache | undefined;
  // Tools get a way to evict cache entries now; the cache itself is created further down.
  const invalidate = async (tags: string[]) => cache?.invalidate(tags);
  modules.push(createDiscoveryTool(() => registry!));
  for (const factory of options.toolFactories ?? TOOL_FACTORIES) {
    modules.push(await factory({ config, logger, workspaceEvents, invalidate }));
  }
  registry = new Registry(
    modules.flatMap((m) => m.operations),
    withheldOperations(modules),
  );
  const resources = new ResourceTable(modules.flatMap((m) => m.resources ?? []));
  const redis = acquireConfiguredRedis(config.scale, logger);
  cache = createResultCache(config.scale, logger, redis);
  const limits = rateLimits({ scale: config.scale, registry, logger, redis });
  watcher = config.fileSystem.watchWorkspace
    ? await WorkspaceWatcher.start({
        workspaceDir: config.server.workspaceDir,
        logger,
        debounceMs: config.fileSystem.watchDebounceMs,
        ownTempPrefixes: [TEMP_PREFIX],
        // A change made outside the server goes the way a file_system write does: the index (and,
        // with Redis, the change log other replicas apply) first, then the cache tags, so a read
        // that misses the evicted entry finds the index already current.
        onChanges: async (paths) => {
          for (const path of paths) {
            await workspaceEvents.emit({ kind: 'write', path }, (error) =>
              logger.warn('workspace listener failed', { error: error instanceof Error ? error.message : String(error) }),
            );
          }
          await cache.invalidate(writeInvalidates());
        },
      })
    : undefined;
  const executor = new Executor({ cache, defaultTimeoutMs: config.server.callTimeoutMs, logger, onOutcome: recordToolOutcome });

  const authenticators: Authenticator[] = [];
  if (config.auth.mode === 'api_key' || config.auth.mode === 'both') authenticators.push(new ApiKeyAuthenticator(config.auth.apiKeys));
  // Loaded only when used: oidc-provider is large, and on Node 20 it warns about the runtime at import.
  const authServer = config.oauth.builtin
    ? await (await import('./auth/authServer/index.js')).createAuthorizationServer({
        oauth: config.oauth,
        apiKeys: config.auth.apiKeys,
        store: await (await import('./auth/authServer/openStore.js')).openOAuthStore(config, logger),
        logger,
        redis,
        execOffered: config.process.enabled,
        login: options.login,
      })
    : undefined;
  const oauth = createOAuthResourceServer(config.oauth, logger, {
    builtin: authServer?.authenticator,
    execOffered: config.process.enabled,
  });
  if (oauth) authenticators.push(oauth.authenticator);

  const policy = originPolicy(config.server);
  const fixtures = config.mcp.conformanceFixtures ? createConformanceFixtures() : undefined;
  if (fixtures) logger.warn('MCP_CONFORMANCE_FIXTURES=true: serving the conformance suite fixtures (test tools, resources, prompts)');
  // One source for every access decision (core/access.ts): the step-up stage and both dialects render it.
  const access: AccessSources = { registry, resources, stepUp: oauth?.insufficientScope };
  const serverOptions = {
    registry,
    resources,
    executor,
    logger,
    serverInfo: SERVER_INFO,
    instructions: SERVER_INSTRUCTIONS,
    access,
    fixtures,
  };
  const onMcpError = (error: Error) => logger.warn('mcp transport error', { error: error.message });
  const inputSchemaOf = (name: string) =>
    registry!.byMcpName(name)?.op.inputSchema ?? fixtures?.tools.find((t) => t.name === name)?.inputSchema;
  const sdkMcp = mcpEndpoint(mcpServerFactory(serverOptions), {
    maxBodyBytes: config.server.bodyLimitBytes,
    onError: onMcpError,
    inputSchemaOf,
  });
  // MCP_ENGINE=sdk keeps the SDK's per-request handler for everything (the previous engine).
  const mcp =
    config.mcp.engine === 'engine'
      ? engineEndpoint(mcpServerBuilder(serverOptions), sdkMcp, { onError: onMcpError, inputSchemaOf })
      : sdkMcp;
  fixtures?.onListChanged((kind) => (kind === 'tools' ? mcp.notify.toolsChanged() : mcp.notify.promptsChanged()));
  const envelope = envelopeEndpoint({
    access,
    executor,
    logger,
    batchMaxSize: config.scale.batchMaxSize,
    batchConcurrency: config.scale.batchConcurrency,
  });

  const app = express();
  app.disable('x-powered-by');
  // Replies are per-request results; hashing each body for an ETag is pure cost.
  app.set('etag', false);
  app.set('trust proxy', config.server.trustProxy);
  // The one place a request's body is read for what it is: every later stage reads state.facts.
  const readFacts: RequestHandler = function readFacts(req, res, next) {
    const state = stateOf(res);
    state.facts = readRequestFacts(req.method, req.body, { protocolVersion: req.get('mcp-protocol-version') }, { registry, resources });
    state.dialect = state.facts?.dialect;
    next();
  };
  const chooseDialect: RequestHandler = function chooseDialect(_req, res, next) {
    if (stateOf(res).facts) return next();
    sendError(res, 'envelope', {
      status: 400,
      code: 'INVALID_REQUEST',
      message:
        'The body is neither a JSON-RPC 2.0 message (MCP) nor an envelope (an object with message_id, content.tool_name, content.operation).',
    });
  };
  const dispatch: RequestHandler = function dispatch(req, res, next) {
    const dialect = stateOf(res).dialect;
    return dialect === 'envelope' ? envelope(req, res, next) : mcp.handle(req, res, next);
  };

  const checkHost = hostGuard(policy);
  const cors = corsForMcp(policy);
  // A POST to /mcp checks Host once its body is read, so a refusal answers in the caller's dialect.
  const servePostMcp = chain('servePostMcp', [
    cors,
    jsonBody({ limitBytes: config.server.bodyLimitBytes, maxDepth: config.server.maxJsonDepth }),
    readFacts,
    checkHost,
    originGuard(policy),
    chooseDialect,
    ...limits.byIp,
    authenticate({ authenticators, challenge: oauth?.challenge ?? apiKeyChallenge }),
    ...limits.byCaller,
    ...(oauth && oauth.config.mcpInsufficientScope === 'http_403' ? [mcpStepUp(access)] : []),
    cancelByNotice(),
    dispatch,
  ]);

  // Every request's bookkeeping, then POST /mcp (the hot path), each one router layer (http/chain).
  app.use(
    chain('everyRequest', [
      requestId(),
      noStoreByDefault(),
      accessLog(logger),
      ...(config.server.compressMinBytes > 0 ? [compressJson({ minBytes: config.server.compressMinBytes })] : []),
      requestMetrics(registry),
    ]),
  );
  app.use(function postMcp(req, res, next) {
    if (isMcpPost(req)) return servePostMcp(req, res, next);
    next();
  });
  app.use(checkHost);
  app.use(wellKnownRoutes({ mode: config.auth.mode, oauth, authorizationServer: authServer?.metadata }));
  if (authServer) app.use(authServer.router);
  app.use(cors);
  app.use(allowedMethods(ROUTE_METHODS));
  const readiness: ReadinessCheck[] = [...(options.readinessChecks ?? [])];
  if (redis) readiness.push(pingReadiness('redis', () => redis.bounded(redis.client.ping())));
  app.use(healthRoutes(() => [...moduleReadiness(modules), ...readiness]));
  app.use(metricsRoute({ token: config.ops.metricsToken }));

  app.use(function notFound(req, res) {
    sendError(res, dialectFor(req, res), {
      status: 404,
      code: 'NOT_FOUND',
      message: `Nothing is served at ${req.method} ${req.path}. The MCP endpoint is POST /mcp.`,
    });
  });
  const onError: ErrorRequestHandler = function internalError(error, req, res, _next) {
    logger.error('unhandled error', {
      requestId: stateOf(res)?.requestId,
      error: error instanceof Error ? { message: error.message, stack: error.stack } : String(error),
    });
    sendError(res, dialectFor(req, res), {
      status: 500,
      code: 'INTERNAL_ERROR',
      message: 'Internal error. The server log has the details under this request id.',
    });
  };
  app.use(onError);

  return {
    app,
    registry,
    modules,
    cache,
    authServer,
    close: async () => {
      await watcher?.close();
      await mcp.close().catch(() => undefined);
      for (const m of modules)
        await m.close?.().catch((error: unknown) => logger.warn('tool close failed', { tool: m.name, error: String(error) }));
      await cache.close?.();
      limits.close();
      await authServer?.close();
      await redis?.release();
    },
  };
}

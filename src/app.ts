import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Logger } from 'winston';
import { ApiKeyAuthenticator } from './auth/apiKeys.js';
import type { Authenticator } from './auth/authenticator.js';
import type { Config } from './config/index.js';
import { Executor } from './core/executor.js';
import { Registry } from './core/registry.js';
import type { ToolFactory, ToolModule } from './core/toolModule.js';
import { mcpEndpoint } from './dialects/mcp/handler.js';
import { mcpServerFactory } from './dialects/mcp/serverFactory.js';
import { envelopeEndpoint } from './dialects/envelope/handler.js';
import { accessLog } from './http/accessLog.js';
import { authenticate } from './http/authenticate.js';
import { detectDialect, dialectFor } from './http/dialect.js';
import { sendError } from './http/errorReply.js';
import { healthRoutes } from './http/health.js';
import { corsForMcp, hostGuard, originGuard, originPolicy } from './http/hostAndOrigin.js';
import { jsonBody } from './http/jsonBody.js';
import { requestId } from './http/requestId.js';
import { stateOf } from './http/requestState.js';
import { MemoryCache, type ResultCache } from './infra/cache.js';
import { WorkspaceEvents } from './infra/workspaceEvents.js';
import { createDiscoveryTool } from './tools/discovery/index.js';
import { TOOL_FACTORIES } from './tools/index.js';
import { SERVER_INFO, SERVER_INSTRUCTIONS } from './serverInfo.js';

export interface AppOptions {
  config: Config;
  logger: Logger;
  /** Defaults to every tool; tests may pass a subset. */
  toolFactories?: ToolFactory[];
  /** Extra authenticators (OAuth) tried after API keys. */
  authenticators?: Authenticator[];
}

export interface App {
  app: Express;
  registry: Registry;
  modules: ToolModule[];
  cache: ResultCache;
  /** Releases tool resources, the cache and the MCP handler. */
  close: () => Promise<void>;
}

/** Wires the request pipeline from config and services; nothing else. */
export async function createApp(options: AppOptions): Promise<App> {
  const { config, logger } = options;
  const workspaceEvents = new WorkspaceEvents();
  const modules: ToolModule[] = [];
  let registry: Registry | undefined;
  modules.push(createDiscoveryTool(() => registry!));
  for (const factory of options.toolFactories ?? TOOL_FACTORIES) {
    modules.push(await factory({ config, logger, workspaceEvents }));
  }
  registry = new Registry(modules.flatMap((m) => m.operations));
  const cache: ResultCache = new MemoryCache(config.scale.cacheMaxEntries);
  const executor = new Executor({ cache, defaultTimeoutMs: config.server.callTimeoutMs, logger });

  const authenticators: Authenticator[] = [];
  if (config.auth.mode === 'api_key' || config.auth.mode === 'both') authenticators.push(new ApiKeyAuthenticator(config.auth.apiKeys));
  authenticators.push(...(options.authenticators ?? []));

  const policy = originPolicy(config.server);
  const mcp = mcpEndpoint(
    mcpServerFactory({ registry, executor, logger, serverInfo: SERVER_INFO, instructions: SERVER_INSTRUCTIONS }),
    { maxBodyBytes: config.server.bodyLimitBytes, onError: (error) => logger.warn('mcp transport error', { error: error.message }) },
  );
  const envelope = envelopeEndpoint({
    registry,
    executor,
    logger,
    batchMaxSize: config.scale.batchMaxSize,
    batchConcurrency: config.scale.batchConcurrency,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.server.trustProxy);
  app.use(requestId());
  app.use(accessLog(logger));
  app.use(hostGuard(policy));
  app.use(corsForMcp(policy));
  app.use(healthRoutes(() => modules.filter((m) => m.ready).map((m) => ({ name: m.name, check: m.ready! }))));

  const chooseDialect: RequestHandler = function chooseDialect(req, res, next) {
    const state = stateOf(res);
    state.dialect = req.method === 'POST' ? detectDialect(req.body) : 'mcp';
    if (state.dialect) return next();
    sendError(res, 'envelope', {
      status: 400,
      code: 'INVALID_REQUEST',
      message: 'The body is neither a JSON-RPC 2.0 message (MCP) nor an envelope (an object with message_id, content.tool_name, content.operation).',
    });
  };
  const dispatch: RequestHandler = function dispatch(req, res, next) {
    const dialect = stateOf(res).dialect;
    if (dialect === 'envelope') {
      if (req.method !== 'POST') return next();
      return envelope(req, res, next);
    }
    return mcp.handle(req, res, next);
  };

  app.all(
    '/mcp',
    jsonBody({ limitBytes: config.server.bodyLimitBytes, maxDepth: config.server.maxJsonDepth }),
    originGuard(policy),
    chooseDialect,
    authenticate({ authenticators, challenge: (error) => `Bearer realm="mcp"${error ? `, error="${error}"` : ''}` }),
    dispatch,
  );

  app.use(function notFound(req, res) {
    sendError(res, dialectFor(req), { status: 404, code: 'NOT_FOUND', message: `Nothing is served at ${req.method} ${req.path}. The MCP endpoint is POST /mcp.` });
  });
  const onError: ErrorRequestHandler = function internalError(error, req, res, _next) {
    logger.error('unhandled error', {
      requestId: stateOf(res)?.requestId,
      error: error instanceof Error ? { message: error.message, stack: error.stack } : String(error),
    });
    sendError(res, dialectFor(req), { status: 500, code: 'INTERNAL_ERROR', message: 'Internal error. The server log has the details under this request id.' });
  };
  app.use(onError);

  return {
    app,
    registry,
    modules,
    cache,
    close: async () => {
      await mcp.close().catch(() => undefined);
      for (const m of modules) await m.close?.().catch((error: unknown) => logger.warn('tool close failed', { tool: m.name, error: String(error) }));
      await cache.close?.();
    },
  };
}

import {
  ProtocolError,
  Server,
  SUPPORTED_PROTOCOL_VERSIONS,
  type McpRequestContext,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { Logger } from 'winston';
import type { AccessSources, CallDecision } from '../../core/access.js';
import type { Caller } from '../../core/caller.js';
import type { CallContext, ProgressUpdate } from '../../core/context.js';
import type { Executor } from '../../core/executor.js';
import type { Registry } from '../../core/registry.js';
import { wireCode } from '../../core/errors.js';
import { ResourceTable } from '../../core/resourceTable.js';
import { accessOf } from '../../http/accessDecision.js';
import type { RequestState } from '../../http/requestState.js';
import type { ConformanceFixtures } from './conformance/index.js';
import { registerResources, resourceServerOptions } from './resources.js';
import { toolListFor } from './toolList.js';

export interface McpServerFactoryOptions {
  registry: Registry;
  /** Workspace files and other resource families (none: no resources capability). */
  resources?: ResourceTable;
  executor: Executor;
  logger: Logger;
  serverInfo: { name: string; version: string; title?: string };
  instructions: string;
  /** What a call's access decision is made from (core/access.ts). */
  access: AccessSources;
  /** MCP_CONFORMANCE_FIXTURES: the official conformance suite's fixture tools, resources and prompts. */
  fixtures?: ConformanceFixtures;
}

/** Who a request is from and where its facts go: what every handler needs per request. */
export interface McpRequestExtra {
  caller: Caller;
  state: RequestState;
}

const INVALID_PARAMS = -32602;

/**
 * The MCP rendering of a refused tools/call (core/access.ts decided it). An OAuth caller can
 * re-authorize with more scope: it is told how the way ChatGPT expects (an isError result whose
 * _meta carries the challenge). A switched-off tool names the reason. Anything else — an unknown
 * name, or a tool this credential may not call and cannot step up to — is "Unknown tool", a
 * protocol error (the tool is not in this caller's tools/list); bad arguments and failures are tool
 * results the model can read and correct.
 */
function refuseToolCall(name: string, access: Exclude<CallDecision, { kind: 'allowed' }>, state: RequestState) {
  if (access.kind === 'outOfScope' && access.challenge) {
    state.outcome = 'FORBIDDEN';
    return {
      content: [
        {
          type: 'text' as const,
          text: `FORBIDDEN: ${name} needs the "${access.needed}" permission, which this access token does not grant. Ask the user to reconnect (re-authorize) so the token grants it.`,
        },
      ],
      isError: true,
      _meta: { 'mcp/www_authenticate': [access.challenge] },
    };
  }
  if (access.kind === 'withheld') {
    state.outcome = 'FORBIDDEN';
    throw new ProtocolError(
      INVALID_PARAMS,
      `The tool ${name} is switched off: ${access.reason}. Call tools/list to see the available tools.`,
    );
  }
  state.outcome = 'UNKNOWN_TOOL';
  throw new ProtocolError(INVALID_PARAMS, `Unknown tool: ${name}. Call tools/list to see the available tools.`);
}

/**
 * The SDK engine (MCP_ENGINE=sdk): a fresh low-level Server per request, its caller handed over
 * through AuthInfo.extra by the HTTP layer.
 */
export function mcpServerFactory(options: McpServerFactoryOptions) {
  const build = mcpServerBuilder(options);
  return function buildServer(context: McpRequestContext): Server {
    const extra = context.authInfo?.extra as McpRequestExtra | undefined;
    if (!extra) throw new Error('MCP request reached the SDK without an authenticated caller');
    return build(() => extra);
  };
}

/**
 * Builds a low-level SDK Server whose handlers ask `requestOf(ctx)` who each request is from, so
 * one Server can serve one request (SDK engine) or every request of the process (our engine).
 * Tools come from the registry (not registerTool) so the schemas stay the declared JSON Schema and
 * every call goes through the shared executor.
 */
export function mcpServerBuilder(options: McpServerFactoryOptions) {
  const listTools = toolListFor(options.registry);
  const resources = options.resources ?? new ResourceTable([]);
  const resourceOptions = resourceServerOptions(resources);
  const { fixtures } = options;
  const capabilities = { tools: {}, logging: {}, ...resourceOptions.capabilities, ...fixtures?.capabilities };

  /**
   * `modernRevision`: the instance will serve that 2026-07-28-era revision. Listing it makes the
   * SDK install `server/discover`; connecting to a transport classified for it binds the era.
   */
  return function buildServer(requestOf: (ctx: ServerContext) => McpRequestExtra, modernRevision?: string): Server {
    const server = new Server(options.serverInfo, {
      capabilities,
      ...(modernRevision && { supportedProtocolVersions: [...SUPPORTED_PROTOCOL_VERSIONS, modernRevision] }),
      cacheHints: resourceOptions.cacheHints,
      instructions: options.instructions,
      ...(fixtures && { requestState: { verify: fixtures.verifyRequestState } }),
    });
    registerResources(server, { resources, executor: options.executor, logger: options.logger, access: options.access }, (ctx) => {
      const { caller, state } = requestOf(ctx);
      return {
        caller,
        state,
        context: (signal) => ({ caller, requestId: state.requestId, dialect: 'mcp', signal, logger: options.logger, progress: () => {} }),
      };
    });
    // With the fixtures on (test runs only), their catalog answers resources/* in place of the workspace's.
    fixtures?.install(server);

    server.setRequestHandler('tools/list', async (request, ctx) => {
      const { caller } = requestOf(ctx);
      // We never hand out cursors, so any cursor is one we did not issue.
      if (request.params?.cursor !== undefined)
        throw new ProtocolError(INVALID_PARAMS, 'Invalid cursor: tools/list returns every tool in one page.');
      const tools = fixtures ? [...listTools(caller), ...fixtures.tools] : listTools(caller);
      return { tools: tools as never };
    });

    server.setRequestHandler('tools/call', async (request, ctx) => {
      const name = request.params.name;
      const fixture = fixtures?.call(name, request.params.arguments ?? {}, ctx);
      if (fixture) return fixture as never;
      const { caller, state } = requestOf(ctx);
      const access = accessOf(state, options.access, { kind: 'mcp_tool', name });
      const entry = access.kind === 'allowed' || access.kind === 'outOfScope' ? access.entry : undefined;
      state.tool = entry?.op.tool ?? name;
      state.operation = entry?.op.operation;
      if (access.kind !== 'allowed') return refuseToolCall(name, access, state);
      const progressToken = ctx.mcpReq._meta?.progressToken;
      let lastProgress = -Infinity;
      const progress = (update: ProgressUpdate) => {
        if (progressToken === undefined || update.progress <= lastProgress) return;
        lastProgress = update.progress;
        void ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, ...update } }).catch(() => undefined);
      };
      const callContext: CallContext = {
        caller,
        requestId: state.requestId,
        dialect: 'mcp',
        signal: ctx.mcpReq.signal,
        logger: options.logger,
        progress,
      };
      try {
        const { result } = await options.executor.execute(access.entry, request.params.arguments ?? {}, callContext);
        state.outcome = 'ok';
        return {
          content: [{ type: 'text' as const, text: JSON.stringify(result) }],
          structuredContent: result as Record<string, unknown>,
        };
      } catch (error) {
        const toolError = error as { code?: string; message: string };
        state.outcome = toolError.code ?? 'INTERNAL_ERROR';
        return {
          content: [{ type: 'text' as const, text: `${toolError.code ? wireCode(toolError.code) : 'ERROR'}: ${toolError.message}` }],
          isError: true,
        };
      }
    });

    return server;
  };
}

import {
  ProtocolError,
  ResourceNotFoundError,
  type Server,
  type ServerCapabilities,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { Logger } from 'winston';
import type { AccessSources } from '../../core/access.js';
import type { Caller } from '../../core/caller.js';
import type { CallContext } from '../../core/context.js';
import { toToolError } from '../../core/errors.js';
import type { Executor } from '../../core/executor.js';
import type { ResourcePage, ResourceReadResult } from '../../core/resource.js';
import type { ResourceTable } from '../../core/resourceTable.js';
import { accessOf } from '../../http/accessDecision.js';
import type { RequestState } from '../../http/requestState.js';

const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;
/** The server's own JSON-RPC code for a refusal by permission (http/errorReply's FORBIDDEN). */
const FORBIDDEN = -32003;
const TIMEOUT = -32008;

export interface ResourceAdapterOptions {
  resources: ResourceTable;
  executor: Executor;
  logger: Logger;
  /** What the read-scope decision is made from (core/access.ts). */
  access: AccessSources;
}

type Hint = { ttlMs: number; cacheScope: 'private' | 'public' };

/** How long clients may keep `resources/templates/list` (2026-07-28 `ttlMs`). */
export const TEMPLATES_TTL_MS = 3_600_000;

/**
 * What the server advertises and the 2026-07-28 cache hints for the resource methods (the SDK
 * adds them to 2026-07-28 results only; 2025-era replies stay as they were). With several
 * families, the most careful hint of them all.
 */
export function resourceServerOptions(resources: ResourceTable): {
  capabilities: Pick<ServerCapabilities, 'resources'>;
  cacheHints: Record<'resources/list' | 'resources/templates/list' | 'resources/read', Hint>;
} {
  if (resources.empty) return { capabilities: {}, cacheHints: {} as never };
  const hints = resources.all.map((r) => r.declaration.clientCache);
  const hint: Hint = {
    ttlMs: Math.min(...hints.map((h) => h.ttlMs)),
    cacheScope: hints.some((h) => h.cacheScope === 'private') ? 'private' : 'public',
  };
  return {
    // No change notifications are sent (a replica cannot see every change), so listChanged is false.
    capabilities: { resources: { listChanged: false } },
    cacheHints: {
      'resources/list': hint,
      // The templates are fixed when the server starts.
      'resources/templates/list': { ttlMs: TEMPLATES_TTL_MS, cacheScope: hint.cacheScope },
      'resources/read': hint,
    },
  };
}

/** Maps a failed list/read to the JSON-RPC error the spec and clients expect. */
function protocolErrorFor(error: unknown, uri?: string): ProtocolError {
  const toolError = toToolError(error);
  const data = uri === undefined ? undefined : { uri };
  switch (toolError.code) {
    case 'NOT_FOUND':
      // The SDK sends this as -32602 with data.uri, as the 2026-07-28 revision requires.
      return uri === undefined ? new ProtocolError(INVALID_PARAMS, toolError.message) : new ResourceNotFoundError(uri, toolError.message);
    case 'INVALID_PARAMS':
    case 'FORBIDDEN':
    case 'PAYLOAD_TOO_LARGE':
      return new ProtocolError(INVALID_PARAMS, `${toolError.code}: ${toolError.message}`, data);
    case 'TIMEOUT':
    case 'CANCELLED':
      return new ProtocolError(TIMEOUT, `${toolError.code}: ${toolError.message}`, data);
    default:
      return new ProtocolError(INTERNAL_ERROR, `${toolError.code}: ${toolError.message}`, data);
  }
}

/**
 * Registers `resources/list`, `resources/templates/list` and `resources/read` on one per-request
 * SDK server. Thin on purpose: declarations (core/resource.ts) say what is served, the executor
 * runs every list and read; this only translates.
 */
export function registerResources(
  server: Server,
  options: ResourceAdapterOptions,
  /** The caller of the request a handler serves (one server may serve many callers). */
  requestOf: (ctx: ServerContext) => { caller: Caller; state: RequestState; context: (signal: AbortSignal) => CallContext },
): void {
  const { resources, executor } = options;
  if (resources.empty) return;

  // Security: resources are workspace content; a credential without the read scope gets a clear
  // refusal (the executor would refuse it too, but as "invalid params"). core/access.ts decides.
  const requireRead = ({ state }: { state: RequestState }) => {
    const access = accessOf(state, options.access, { kind: 'resources' });
    if (access.kind === 'allowed') return;
    state.outcome = 'FORBIDDEN';
    // An OAuth caller can re-authorize with more scope: the challenge rides along as tool results carry it.
    const challenge = access.kind === 'outOfScope' ? access.challenge : undefined;
    throw new ProtocolError(
      FORBIDDEN,
      `FORBIDDEN: resources need the "read" permission, which this credential does not grant.${challenge ? ' Ask the user to reconnect (re-authorize) so the token grants it.' : ''}`,
      challenge ? { 'mcp/www_authenticate': [challenge] } : undefined,
    );
  };

  server.setRequestHandler('resources/templates/list', async (req, ctx) => {
    const request = requestOf(ctx);
    const { state } = request;
    requireRead(request);
    if (req.params?.cursor !== undefined)
      throw new ProtocolError(INVALID_PARAMS, 'Invalid cursor: resources/templates/list returns every template in one page.');
    state.outcome = 'ok';
    return {
      resourceTemplates: resources.all.map(({ declaration: d }) => ({
        uriTemplate: d.uriTemplate,
        name: d.name,
        title: d.title,
        description: d.description,
      })),
    };
  });

  server.setRequestHandler('resources/list', async (req, ctx) => {
    const request = requestOf(ctx);
    const { state } = request;
    requireRead(request);
    const position = resources.fromCursor(req.params?.cursor);
    if (!position) {
      if (req.params?.cursor === undefined) return { resources: [] };
      throw new ProtocolError(INVALID_PARAMS, 'Invalid cursor: pass a nextCursor from resources/list, or none for the first page.');
    }
    try {
      const params = position.inner === undefined ? {} : { cursor: position.inner };
      const { result } = await executor.execute(position.entry.list, params, request.context(ctx.mcpReq.signal));
      const page = result as ResourcePage;
      state.outcome = 'ok';
      const nextCursor = resources.nextCursor(position.entry, page.nextCursor);
      return { resources: page.resources, ...(nextCursor ? { nextCursor } : {}) };
    } catch (error) {
      state.outcome = toToolError(error).code;
      throw protocolErrorFor(error);
    }
  });

  server.setRequestHandler('resources/read', async (req, ctx) => {
    const request = requestOf(ctx);
    const { state } = request;
    requireRead(request);
    const uri = req.params.uri;
    const owner = resources.owner(uri);
    if (!owner) {
      state.outcome = 'NOT_FOUND';
      throw new ResourceNotFoundError(
        uri,
        `Resource not found: ${uri}. Workspace files are read as ${resources.all[0]!.declaration.uriTemplate}.`,
      );
    }
    try {
      const { result } = await executor.execute(owner.read, { uri }, request.context(ctx.mcpReq.signal));
      state.outcome = 'ok';
      const { contents } = result as ResourceReadResult;
      return { contents };
    } catch (error) {
      state.outcome = toToolError(error).code;
      throw protocolErrorFor(error, uri);
    }
  });
}

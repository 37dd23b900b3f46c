import {
  createMcpHandler,
  SUPPORTED_PROTOCOL_VERSIONS,
  type McpHttpHandler,
  type McpServerFactory,
  type ServerNotifier,
} from '@modelcontextprotocol/server';
import type { Request as ExpressRequest, RequestHandler } from 'express';
import { sendError } from '../../http/errorReply.js';
import { stateOf } from '../../http/requestState.js';
import { paramHeaderGuard } from './mcpParamHeaders.js';
import type { McpRequestExtra } from './serverFactory.js';
import { jsonRpcResponsesFromSse } from './sseToJson.js';

const BOTH = 'application/json, text/event-stream';
const BATCH_VERSION = '2025-03-26';
const LEGACY_VERSIONS = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS);

function acceptsBoth(accept: string | null): boolean {
  if (!accept) return false;
  const lower = accept.toLowerCase();
  return (
    (lower.includes('application/json') || lower.includes('*/*') || lower.includes('application/*')) &&
    (lower.includes('text/event-stream') || lower.includes('text/*'))
  );
}

/**
 * Wraps the SDK's web handler with the leniency real clients need: an Accept header without
 * text/event-stream (or none at all) gets a plain JSON answer instead of the SDK's 406.
 */
type FetchOptions = Parameters<McpHttpHandler['fetch']>[1];

function lenientFetch(handler: McpHttpHandler) {
  return {
    async fetch(request: Request, options?: FetchOptions): Promise<Response> {
      if (request.method !== 'POST' || acceptsBoth(request.headers.get('accept'))) return handler.fetch(request, options);
      const headers = new Headers(request.headers);
      headers.set('accept', BOTH);
      const rewritten = new Request(request.url, { method: request.method, headers, signal: request.signal });
      const response = await handler.fetch(rewritten, options);
      if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) return response;
      const messages = jsonRpcResponsesFromSse(await response.text());
      const outHeaders = new Headers(response.headers);
      outHeaders.set('content-type', 'application/json');
      outHeaders.delete('cache-control');
      outHeaders.delete('connection');
      outHeaders.delete('x-accel-buffering');
      if (messages.length === 0) return new Response(null, { status: 202, headers: outHeaders });
      const body = Array.isArray(options?.parsedBody) ? messages : messages[messages.length - 1];
      return new Response(JSON.stringify(body), { status: response.status, headers: outHeaders });
    },
  };
}

export interface McpHttpEndpoint {
  handle: RequestHandler;
  close: () => Promise<void>;
  /** Publishes list_changed events to open subscriptions/listen streams. */
  notify: ServerNotifier;
}

/** The MCP dialect on Express: the SDK's dual-era handler (2026-07-28 + stateless 2025-era). */
export function mcpEndpoint(
  factory: McpServerFactory,
  options: {
    maxBodyBytes: number;
    onError: (error: Error) => void;
    /** A tool's input schema by MCP name, for the SEP-2243 Mcp-Param-* check. */
    inputSchemaOf?: (name: string) => Record<string, unknown> | undefined;
  },
): McpHttpEndpoint {
  const refusedForParamHeaders = paramHeaderGuard(options.inputSchemaOf);
  const sdkHandler = createMcpHandler(factory, {
    legacy: 'stateless',
    maxRequestBodySize: options.maxBodyBytes,
    onerror: options.onError,
  });
  // The Node adapter (@modelcontextprotocol/node with Hono's server under it, ≈6 MiB of RSS) loads
  // on the first request this handler serves: with the default engine that is only JSON-RPC
  // batches, 2026-07-28 subscriptions/listen and notifications, and requests the SDK's gates
  // refuse, which many deployments never see.
  type NodeHandler = ReturnType<typeof import('@modelcontextprotocol/node').toNodeHandler>;
  let node: NodeHandler | undefined;
  let loading: Promise<NodeHandler> | undefined;
  const loadNode = () =>
    (loading ??= import('@modelcontextprotocol/node').then(
      ({ toNodeHandler }) => (node = toNodeHandler(lenientFetch(sdkHandler), { onerror: options.onError })),
    ));

  const handle: RequestHandler = function serveMcp(req, res, next) {
    const state = stateOf(res);
    const body = req.body as unknown;
    const facts = state.facts;
    if (facts?.batch) {
      // JSON-RPC batches exist only in 2025-03-26 (the version assumed when the header is absent).
      const version = req.get('mcp-protocol-version');
      if (version && version !== BATCH_VERSION) {
        sendError(res, 'mcp', {
          status: 400,
          code: 'INVALID_REQUEST',
          message: `JSON-RPC batches are only allowed with protocol version ${BATCH_VERSION}; this request declared ${version}. Send one message per POST.`,
        });
        return;
      }
      state.batchSize = facts.size;
    } else if (facts?.methods[0]) {
      state.operation = facts.methods[0];
      const call = facts.calls[0];
      if (call?.kind === 'tool') state.tool = call.tool;
      // SEP-2243 (2026-07-28 only: earlier clients never mirror arguments into headers).
      if (facts.protocolVersion !== undefined && !LEGACY_VERSIONS.has(facts.protocolVersion) && refusedForParamHeaders(req, res, state))
        return;
    }
    const extra: McpRequestExtra = { caller: state.caller!, state };
    (req as ExpressRequest & { auth?: unknown }).auth = {
      token: '',
      clientId: state.caller!.id,
      scopes: [...state.caller!.scopes],
      extra,
    };
    const parsed = req.method === 'POST' ? body : undefined;
    if (node) void node(req, res, parsed);
    else loadNode().then((loaded) => void loaded(req, res, parsed), next);
  };

  return { handle, close: () => sdkHandler.close(), notify: sdkHandler.notify };
}

import {
  classifyInboundRequest,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCRequest,
  type JSONRPCResponse,
  type Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { RequestHandler } from 'express';
import { sendError } from '../../../http/errorReply.js';
import { stateOf } from '../../../http/requestState.js';
import type { McpHttpEndpoint } from '../handler.js';
import type { McpRequestExtra } from '../serverFactory.js';
import { RoutingTransport } from './routingTransport.js';

/** Methods whose answer depends on per-connection state a shared Server must not keep. */
const PER_REQUEST_METHODS = new Set(['initialize', 'logging/setLevel']);
const LEGACY_VERSIONS = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS);

function acceptsEventStream(accept: string | undefined): boolean {
  if (!accept) return false;
  const lower = accept.toLowerCase();
  return lower.includes('text/event-stream') || lower.includes('text/*');
}

/**
 * MCP_ENGINE=engine: one long-lived SDK Server for the process serves every 2025-era request
 * (single messages, the hot path) through a RoutingTransport; no web Request/Response copies.
 * Everything else — initialize, logging/setLevel, batches, GET/DELETE, and the 2026-07-28 era,
 * whose per-request instance seams the SDK does not export — goes to the SDK engine unchanged.
 * See docs/architecture.md for the reasons.
 */
export function engineEndpoint(
  build: (requestOf: (ctx: ServerContext) => McpRequestExtra) => Server,
  sdk: McpHttpEndpoint,
  options: { onError: (error: Error) => void },
): McpHttpEndpoint {
  const transport = new RoutingTransport();
  const server = build((ctx) => {
    const extra = transport.extraOf(ctx.mcpReq.id);
    if (!extra) throw new Error('MCP request without a routed caller');
    return extra;
  });
  server.onerror = options.onError;
  const connected = server.connect(transport);

  const handle: RequestHandler = function serveMcp(req, res, next) {
    const state = stateOf(res);
    const facts = state.facts;
    if (req.method !== 'POST' || !facts || facts.batch || PER_REQUEST_METHODS.has(facts.methods[0] ?? ''))
      return sdk.handle(req, res, next);
    const header = req.get('mcp-protocol-version');
    if (header !== undefined && !LEGACY_VERSIONS.has(header)) return sdk.handle(req, res, next);
    // The SDK decides the era (body-primary: the 2026-07-28 `_meta` claim, then the headers).
    const route = classifyInboundRequest({
      httpMethod: 'POST',
      protocolVersionHeader: header,
      mcpMethodHeader: req.get('mcp-method'),
      mcpNameHeader: req.get('mcp-name'),
      body: req.body,
    });
    if (route.kind !== 'legacy' || (route.reason !== 'no-claim' && route.reason !== 'notification' && route.reason !== 'response'))
      return sdk.handle(req, res, next);

    const body = req.body as Record<string, unknown>;
    const caller = state.caller!;
    // A message with a method is a request or a notification: one schema check instead of three.
    const hasMethod = typeof body.method === 'string';
    if (!hasMethod && (isJSONRPCResultResponse(body) || isJSONRPCErrorResponse(body))) {
      if (transport.answer(body as JSONRPCResponse, caller.id)) {
        res.status(202).end();
        return;
      }
      sendError(res, 'mcp', {
        status: 400,
        code: 'INVALID_REQUEST',
        message: 'No request from this server with this id is waiting for your answer.',
      });
      return;
    }
    if (!hasMethod || !isJSONRPCRequest(body)) {
      // Notifications: cancellation is handled by cancelByNotice (it ends the named request's
      // stream, which cancels the call); the rest carry nothing a stateless server keeps.
      res.status(202).end();
      return;
    }
    state.operation = facts.methods[0];
    if (facts.calls[0]?.kind === 'tool') state.tool = facts.calls[0].tool;
    const meta = (body.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta;
    connected.then(
      () =>
        transport.request(body as JSONRPCRequest, {
          externalId: body.id,
          extra: { caller, state },
          res,
          canStream: acceptsEventStream(req.get('accept')),
          streamNow: meta?.progressToken !== undefined,
        }),
      next,
    );
  };

  return {
    handle,
    notify: sdk.notify,
    close: async () => {
      await server.close().catch(() => undefined);
      await sdk.close();
    },
  };
}

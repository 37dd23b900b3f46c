import {
  classifyInboundRequest,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  isJsonContentType,
  ProtocolErrorCode,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCRequest,
  type JSONRPCResponse,
  type Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { Request, RequestHandler, Response } from 'express';
import { sendError } from '../../../http/errorReply.js';
import { stateOf, type RequestState } from '../../../http/requestState.js';
import type { McpHttpEndpoint } from '../handler.js';
import type { McpRequestExtra } from '../serverFactory.js';
import { paramHeaderGuard } from '../mcpParamHeaders.js';
import { ModernRoutingTransport } from './modernTransport.js';
import { RoutingTransport, type Exchange } from './routingTransport.js';

/**
 * Methods that write per-connection state (client capabilities, negotiated version, log level)
 * onto the Server that answers them. The shared Servers must never hold it for every caller.
 */
const CONNECTION_STATE_METHODS = new Set(['initialize', 'logging/setLevel']);
const LEGACY_VERSIONS = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS);
/** The 2026-07-28-era revision the modern Server is bound to (if the SDK implements it). */
const MODERN_REVISION = '2026-07-28';
/** A header value that reaches the SDK unchanged: printable ASCII, no surrounding whitespace. */
const PLAIN_HEADER = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

function acceptsEventStream(accept: string | undefined): boolean {
  if (!accept) return false;
  const lower = accept.toLowerCase();
  return lower.includes('text/event-stream') || lower.includes('text/*');
}

/**
 * Whether a 2026-07-28 request's SEP-2243 standard headers plainly pass the SDK's check
 * (MCP-Protocol-Version and Mcp-Method present, Mcp-Name mirroring the body's name/uri/taskId
 * literally). The SDK's check (validateStandardRequestHeaders) is not exported, so this only
 * picks the fast path: it never refuses anything. Whatever it does not recognise as plainly
 * well formed goes to the SDK's handler, which answers (also with the -32020 refusals).
 */
function standardHeadersPlainlyAgree(req: Request, message: JSONRPCRequest): boolean {
  if (req.get('mcp-protocol-version') === undefined || req.get('mcp-method') === undefined) return false;
  const params = message.params as Record<string, unknown> | undefined;
  const mirrored = [params?.name, params?.uri, params?.taskId].filter((value) => typeof value === 'string');
  const name = req.get('mcp-name');
  if (name === undefined) return mirrored.length === 0;
  return mirrored.length > 0 && PLAIN_HEADER.test(name) && !name.startsWith('=?') && mirrored.every((value) => value === name);
}

// The one in-band error the spec answers with HTTP 400 (the SDK's httpStatusForErrorCode, not exported).
const modernStatus = (reply: JSONRPCResponse) =>
  'error' in reply && reply.error.code === ProtocolErrorCode.MissingRequiredClientCapability ? 400 : 200;

function callerLookup(transport: RoutingTransport) {
  return (ctx: ServerContext) => {
    const extra = transport.extraOf(ctx.mcpReq.id);
    if (!extra) throw new Error('MCP request without a routed caller');
    return extra;
  };
}

/**
 * MCP_ENGINE=engine: long-lived SDK Servers for the process, one per protocol era, each
 * behind a RoutingTransport; no web Request/Response copies. The 2025-era Server serves every
 * 2025-era single message; the 2026-07-28 one every single request of that revision (the SDK
 * bound it to the era at connect, and it checks each request's `_meta` envelope itself).
 * 2025-era initialize and logging/setLevel get a third Server of their own (they write
 * per-connection state). Everything else — batches, GET/DELETE, subscriptions/listen, 2026
 * notifications, and any 2026 request the SDK's gates refuse — goes to the SDK engine unchanged. See docs/architecture.md for the reasons.
 */
export function engineEndpoint(
  build: (requestOf: (ctx: ServerContext) => McpRequestExtra, modernRevision?: string) => Server,
  sdk: McpHttpEndpoint,
  options: { onError: (error: Error) => void; inputSchemaOf?: (name: string) => Record<string, unknown> | undefined },
): McpHttpEndpoint {
  const transport = new RoutingTransport();
  const server = build(callerLookup(transport));
  server.onerror = options.onError;
  const connected = server.connect(transport);

  // Security: initialize and logging/setLevel go to a Server of their own, which serves nothing
  // else: what they write onto it (the last client's capabilities and level) is never read by
  // anyone's request, just as a per-request Server's state dies with its request. Its answers
  // depend only on the request (the negotiated version is the requested one or the SDK's default).
  const stateTransport = new RoutingTransport();
  const stateServer = build(callerLookup(stateTransport));
  stateServer.onerror = options.onError;
  const stateConnected = stateServer.connect(stateTransport);

  const modernTransport = new ModernRoutingTransport(MODERN_REVISION);
  const modernServer = build(callerLookup(modernTransport.routes), MODERN_REVISION);
  modernServer.onerror = options.onError;
  let modernBound = false;
  // The SDK binds only a revision it implements; if it did not, 2026 traffic stays on its handler.
  const modernConnected = modernServer.connect(modernTransport).then(() => {
    modernBound = modernServer.getNegotiatedProtocolVersion() === MODERN_REVISION;
  });
  const refusedForParamHeaders = paramHeaderGuard(options.inputSchemaOf);

  const handle: RequestHandler = function serveMcp(req, res, next) {
    const state = stateOf(res);
    const facts = state.facts;
    if (req.method !== 'POST' || !facts || facts.batch) return sdk.handle(req, res, next);
    const connectionState = CONNECTION_STATE_METHODS.has(facts.methods[0] ?? '');
    const header = req.get('mcp-protocol-version');
    // The SDK decides the era (body-primary: the 2026-07-28 `_meta` claim, then the headers).
    const route = classifyInboundRequest({
      httpMethod: 'POST',
      protocolVersionHeader: header,
      mcpMethodHeader: req.get('mcp-method'),
      mcpNameHeader: req.get('mcp-name'),
      body: req.body,
    });
    if (route.kind === 'modern') {
      if (
        connectionState ||
        !modernBound ||
        route.messageKind !== 'request' ||
        route.classification.revision !== MODERN_REVISION ||
        route.message.method === 'subscriptions/listen' ||
        !isJsonContentType(req.get('content-type')) ||
        !standardHeadersPlainlyAgree(req, route.message)
      )
        return sdk.handle(req, res, next);
      setFacts(state);
      if (refusedForParamHeaders(req, res, state)) return;
      const message = route.message;
      modernTransport.routes.request(message, {
        ...exchangeOf(req, res, message),
        // Refused by the Server's own gates before any handler ran (unknown method, envelope,
        // era): the SDK's handler gives the answer, with its HTTP status.
        onRefused: () => sdk.handle(req, res, next),
        statusOf: modernStatus,
      });
      return;
    }
    if (header !== undefined && !LEGACY_VERSIONS.has(header)) return sdk.handle(req, res, next);
    const servedReason =
      route.kind === 'legacy' &&
      (route.reason === 'no-claim' ||
        route.reason === 'notification' ||
        route.reason === 'response' ||
        (route.reason === 'initialize' && facts.methods[0] === 'initialize'));
    if (!servedReason) return sdk.handle(req, res, next);

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
    setFacts(state);
    const message = body as JSONRPCRequest;
    if (connectionState) stateConnected.then(() => stateTransport.request(message, exchangeOf(req, res, message)), next);
    else connected.then(() => transport.request(message, exchangeOf(req, res, message)), next);
  };

  return {
    handle,
    notify: sdk.notify,
    close: async () => {
      await modernConnected.catch(() => undefined);
      await Promise.all([
        server.close().catch(() => undefined),
        stateServer.close().catch(() => undefined),
        modernServer.close().catch(() => undefined),
      ]);
      await sdk.close();
    },
  };
}

function setFacts(state: RequestState): void {
  const facts = state.facts!;
  state.operation = facts.methods[0];
  if (facts.calls[0]?.kind === 'tool') state.tool = facts.calls[0].tool;
}

function exchangeOf(req: Request, res: Response, message: JSONRPCRequest): Exchange {
  const state = stateOf(res);
  const meta = (message.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta;
  return {
    externalId: message.id,
    extra: { caller: state.caller!, state },
    res,
    canStream: acceptsEventStream(req.get('accept')),
    streamNow: meta?.progressToken !== undefined,
  };
}

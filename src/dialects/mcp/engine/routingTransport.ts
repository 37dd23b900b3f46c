import type { ServerResponse } from 'node:http';
import type {
  JSONRPCMessage,
  JSONRPCRequest,
  JSONRPCResponse,
  MessageExtraInfo,
  RequestId,
  Transport,
  TransportSendOptions,
} from '@modelcontextprotocol/server';
import type { McpRequestExtra } from '../serverFactory.js';

/** One HTTP request waiting for the reply to the JSON-RPC request it carried. */
export interface Exchange {
  /** The id the client chose; restored on every message that goes back to it. */
  externalId: RequestId;
  /** Who sent it: handlers read this, and only this caller may answer the requests it causes. */
  extra: McpRequestExtra;
  res: ServerResponse;
  /** The client accepts text/event-stream: notifications and server requests may go before the result. */
  canStream: boolean;
  /** Open the event stream at once (the call asked for progress). */
  streamNow: boolean;
  /**
   * The Server refused the request before any handler ran (an error sent while the message was
   * being delivered). When set, nothing is written: the caller answers instead.
   */
  onRefused?: () => void;
  /** The HTTP status of a reply sent as plain JSON (200 when absent). */
  statusOf?: (reply: JSONRPCResponse) => number;
}

interface Pending extends Exchange {
  streaming: boolean;
  keepAlive?: NodeJS.Timeout;
}

interface Outbound {
  /** The id the SDK Server gave its request; the client sees a public one. */
  serverId: RequestId;
  callerId: string;
  internalId: string;
}

// The Server's own messages are well formed: telling them apart by shape is enough, where the SDK's
// schema guards (isJSONRPCResultResponse …) would re-validate every reply with zod, about a tenth
// of a small call's CPU.
const isReply = (message: JSONRPCMessage): message is JSONRPCResponse => !('method' in message);
const isRequest = (message: JSONRPCMessage): message is JSONRPCRequest => 'method' in message && 'id' in message;

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' };
const KEEP_ALIVE_MS = 15_000;

/**
 * The one transport of the process-wide SDK Server (see docs/architecture.md). Every client
 * request gets a fresh internal id before the Server sees it, and everything the Server sends is
 * routed by that id back to the HTTP response of the request it belongs to, with the client's own
 * id restored. Security: two callers (or one caller twice) using the same JSON-RPC id can
 * therefore never receive each other's replies (GHSA-345p-7cg4-v4c7), and a client's answer to a
 * server→client request reaches the Server only from the caller that request was sent to.
 */
export class RoutingTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;

  /** `info` goes with every request handed to the Server (the 2026-07-28 era's classification). */
  constructor(private readonly info?: MessageExtraInfo) {}

  private sequence = 0;
  /** The internal id of the request being delivered right now (its pre-handler gates answer synchronously). */
  private delivering?: string;
  private readonly pending = new Map<string, Pending>();
  private readonly outbound = new Map<string, Outbound>();

  async start(): Promise<void> {}

  async close(): Promise<void> {
    for (const [id, exchange] of this.pending) this.abandon(id, exchange);
    this.onclose?.();
  }

  /** The caller and state of the request the Server knows by `internalId`. */
  extraOf(internalId: RequestId): McpRequestExtra | undefined {
    return this.pending.get(String(internalId))?.extra;
  }

  /** Hands one client request to the Server; its reply is written to `exchange.res`. */
  request(message: JSONRPCRequest, exchange: Exchange): void {
    const internalId = `r${++this.sequence}`;
    const entry: Pending = { ...exchange, streaming: false };
    this.pending.set(internalId, entry);
    exchange.res.once('close', () => {
      // The client went away before its reply: stop the work, as a cancellation would.
      if (this.pending.get(internalId) !== entry) return;
      this.abandon(internalId, entry);
      this.onmessage?.({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: internalId, reason: 'client disconnected' },
      });
    });
    this.delivering = internalId;
    try {
      this.onmessage?.({ ...message, id: internalId }, this.info);
    } finally {
      this.delivering = undefined;
    }
    // Opened after delivery, so a request refused by the Server's gates keeps a plain answer.
    if (entry.streamNow && entry.canStream && this.pending.get(internalId) === entry) this.openStream(entry);
  }

  /**
   * Hands the Server a client's answer to one of its requests. False when no request with that
   * id is waiting for this caller (unknown, already answered, or sent to someone else).
   */
  answer(message: JSONRPCResponse, callerId: string): boolean {
    const key = String(message.id);
    const outbound = this.outbound.get(key);
    // Security: only the caller the request went to may answer it.
    if (!outbound || outbound.callerId !== callerId || typeof message.id !== 'string') return false;
    this.outbound.delete(key);
    this.onmessage?.({ ...message, id: outbound.serverId });
    return true;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isReply(message)) {
      const internalId = String(message.id);
      const exchange = this.pending.get(internalId);
      if (!exchange) return; // Its client went away; nobody to tell.
      if (exchange.onRefused && this.delivering === internalId && 'error' in message) {
        this.forget(internalId, exchange);
        exchange.onRefused();
        return;
      }
      this.finish(internalId, exchange, { ...message, id: exchange.externalId });
      return;
    }
    const related = options?.relatedRequestId === undefined ? undefined : String(options.relatedRequestId);
    const exchange = related === undefined ? undefined : this.pending.get(related);
    if (isRequest(message)) {
      if (!exchange?.canStream) {
        // Stateless serving has no other channel to the client: fail the Server's request now
        // rather than let the tool wait for an answer that cannot come.
        queueMicrotask(() =>
          this.onmessage?.({
            jsonrpc: '2.0',
            id: message.id,
            error: {
              code: -32603,
              message: exchange
                ? `The client cannot receive ${message.method}: it accepts only application/json (add text/event-stream to Accept).`
                : `No open request to send ${message.method} on.`,
            },
          }),
        );
        return;
      }
      const publicId = `s${++this.sequence}`;
      this.outbound.set(publicId, { serverId: message.id, callerId: exchange.extra.caller.id, internalId: related! });
      this.event(exchange, { ...message, id: publicId });
      return;
    }
    // A notification: progress and log messages travel on their request's stream. Without a
    // related request (list changes) there is no stream in stateless serving: dropped.
    if (exchange?.canStream) this.event(exchange, message);
  }

  private openStream(exchange: Pending): void {
    if (exchange.streaming || exchange.res.headersSent) return;
    exchange.streaming = true;
    exchange.res.writeHead(200, SSE_HEADERS);
    exchange.keepAlive = setInterval(() => exchange.res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    exchange.keepAlive.unref();
  }

  private event(exchange: Pending, message: JSONRPCMessage): void {
    this.openStream(exchange);
    exchange.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  private finish(internalId: string, exchange: Pending, reply: JSONRPCMessage): void {
    this.forget(internalId, exchange);
    const { res } = exchange;
    if (exchange.streaming) {
      res.end(`event: message\ndata: ${JSON.stringify(reply)}\n\n`);
      return;
    }
    const body = JSON.stringify(reply);
    res.writeHead(exchange.statusOf?.(reply as JSONRPCResponse) ?? 200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  private abandon(internalId: string, exchange: Pending): void {
    this.forget(internalId, exchange);
    if (!exchange.res.writableEnded) exchange.res.end();
  }

  private forget(internalId: string, exchange: Pending): void {
    this.pending.delete(internalId);
    if (exchange.keepAlive) clearInterval(exchange.keepAlive);
    for (const [publicId, outbound] of this.outbound) if (outbound.internalId === internalId) this.outbound.delete(publicId);
  }
}

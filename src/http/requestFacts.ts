import type { Dialect } from '../core/context.js';
import type { RegisteredOperation, Registry } from '../core/registry.js';
import type { ResourceTable } from '../core/resourceTable.js';

/** One tool operation a request names (a batch names several). */
export interface NamedCall {
  /** A `tools/call` (or envelope call), or a resource method counted as the operation it does. */
  kind: 'tool' | 'resource';
  tool: string;
  operation: string;
  /** The registry entry, when the name is one this server serves. */
  entry?: RegisteredOperation;
}

/**
 * What a request is, read once from its parsed body and headers right after the body parses.
 * Auth, rate limits, step-up, cancellation, logging and metrics read this record; none of them
 * looks at the body again. The dialects still parse their own wire format (that is their job).
 */
export interface RequestFacts {
  dialect: Dialect;
  /** The JSON-RPC id of a single MCP request (null for a notification, a response, a batch). */
  jsonRpcId: string | number | null;
  /** The envelope's `message_id` (null when absent or not a string). */
  messageId: string | null;
  /** MCP revision: the `MCP-Protocol-Version` header, the 2026-07-28 `_meta` claim, or initialize's. */
  protocolVersion?: string;
  /** MCP: the JSON-RPC method of every message, in order (empty for posted responses). */
  methods: string[];
  /** Every tool call named (batch items included), in order; unknown names have no `entry`. */
  calls: NamedCall[];
  /** Messages or batch items the request carries (at least 1). */
  size: number;
  /** A JSON-RPC batch array, or an envelope with `content.batch`. */
  batch: boolean;
  /** MCP `notifications/cancelled`: the id of the request it cancels. */
  cancels?: string | number;
  /** The envelope's `metadata`, echoed in its error replies. */
  envelopeMetadata?: unknown;
}

const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isJsonRpcId(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * Picks the dialect from a parsed body: JSON-RPC 2.0 (an object with `jsonrpc`, or an array of
 * them) is MCP; anything else that is a JSON object is the envelope dialect, whose schema check
 * then says precisely what is missing.
 */
export function detectDialect(body: unknown): Dialect | undefined {
  // Envelopes are always objects, so any array is a JSON-RPC batch (valid or not: the MCP
  // dialect answers a bad one with a JSON-RPC error).
  if (Array.isArray(body)) return 'mcp';
  if (isRecord(body)) return body.jsonrpc !== undefined ? 'mcp' : 'envelope';
  return undefined;
}

/** What a facts reader looks names up in. */
export interface FactsSources {
  registry: Registry;
  /** Resource methods count as the tool operations their declaration names (`rateLimitAs`). */
  resources?: ResourceTable;
}

/** `resources/list` and `resources/read` as the tool operation their declaration says they do. */
function resourceCall(method: string, params: Record<string, unknown> | undefined, resources?: ResourceTable): NamedCall | undefined {
  if (!resources || resources.empty) return undefined;
  let name: string | undefined;
  if (method === 'resources/list') name = resources.all[0]!.declaration.rateLimitAs?.list;
  else if (method === 'resources/read' && typeof params?.uri === 'string')
    name = resources.owner(params.uri)?.declaration.rateLimitAs?.read;
  if (!name) return undefined;
  const [tool, operation = ''] = name.split('.');
  return { kind: 'resource', tool: tool!, operation };
}

function mcpFacts(body: unknown, header: string | undefined, { registry, resources }: FactsSources): RequestFacts {
  const messages = Array.isArray(body) ? body : [body];
  const methods: string[] = [];
  const calls: NamedCall[] = [];
  let claimed: string | undefined;
  for (const message of messages) {
    if (!isRecord(message) || typeof message.method !== 'string') continue;
    methods.push(message.method);
    const params = isRecord(message.params) ? message.params : undefined;
    const meta = isRecord(params?._meta) ? params._meta : undefined;
    if (typeof meta?.[PROTOCOL_VERSION_META_KEY] === 'string') claimed ??= meta[PROTOCOL_VERSION_META_KEY] as string;
    if (message.method === 'initialize' && typeof params?.protocolVersion === 'string') claimed ??= params.protocolVersion;
    if (message.method === 'tools/call' && typeof params?.name === 'string') {
      const entry = registry.byMcpName(params.name);
      calls.push(
        entry
          ? { kind: 'tool', tool: entry.op.tool, operation: entry.op.operation, entry }
          : { kind: 'tool', tool: params.name, operation: '' },
      );
    }
    const resource = resourceCall(message.method, params, resources);
    if (resource) calls.push(resource);
  }
  const single = !Array.isArray(body) && isRecord(body) ? body : undefined;
  const cancelled = single?.method === 'notifications/cancelled' && isRecord(single.params) ? single.params.requestId : undefined;
  return {
    dialect: 'mcp',
    jsonRpcId: single && typeof single.method === 'string' && isJsonRpcId(single.id) ? single.id : null,
    messageId: null,
    protocolVersion: header ?? claimed,
    methods,
    calls,
    size: Math.max(1, messages.length),
    batch: Array.isArray(body),
    ...(single?.id === undefined && isJsonRpcId(cancelled) ? { cancels: cancelled } : {}),
  };
}

function envelopeFacts(body: Record<string, unknown>, { registry }: FactsSources): RequestFacts {
  const content = isRecord(body.content) ? body.content : undefined;
  const batch = Array.isArray(content?.batch) ? (content.batch as unknown[]) : undefined;
  const items = batch ?? (content ? [content] : []);
  const calls: NamedCall[] = [];
  for (const item of items) {
    if (!isRecord(item) || typeof item.tool_name !== 'string' || typeof item.operation !== 'string') continue;
    const entry = registry.byEnvelope(item.tool_name, item.operation);
    calls.push({ kind: 'tool', tool: item.tool_name, operation: item.operation, ...(entry ? { entry } : {}) });
  }
  return {
    dialect: 'envelope',
    jsonRpcId: null,
    messageId: typeof body.message_id === 'string' ? body.message_id : null,
    methods: [],
    calls,
    size: Math.max(1, items.length),
    batch: batch !== undefined,
    envelopeMetadata: body.metadata,
  };
}

/**
 * Reads a request's facts from its parsed body (POST) or its method alone (GET/DELETE on /mcp:
 * MCP). Undefined when a POST body is neither dialect. Malformed parts are simply absent: the
 * dialect rejects them afterwards with a precise error.
 */
export function readRequestFacts(
  httpMethod: string,
  body: unknown,
  headers: { protocolVersion?: string },
  sources: FactsSources,
): RequestFacts | undefined {
  if (httpMethod !== 'POST') {
    return {
      dialect: 'mcp',
      jsonRpcId: null,
      messageId: null,
      protocolVersion: headers.protocolVersion,
      methods: [],
      calls: [],
      size: 1,
      batch: false,
    };
  }
  const dialect = detectDialect(body);
  if (dialect === 'mcp') return mcpFacts(body, headers.protocolVersion, sources);
  if (dialect === 'envelope') return envelopeFacts(body as Record<string, unknown>, sources);
  return undefined;
}

/** The ids an error reply echoes: the JSON-RPC id (MCP) or the envelope's message_id. */
export function replyIds(facts: RequestFacts | undefined): { jsonRpcId: string | number | null; inReplyTo: string | null } {
  return { jsonRpcId: facts?.jsonRpcId ?? null, inReplyTo: facts?.messageId ?? null };
}

/** `tool.operation` of each call, as rate limits name them. */
export function callNames(facts: RequestFacts | undefined): string[] {
  return (facts?.calls ?? []).filter((c) => c.operation !== '').map((c) => `${c.tool}.${c.operation}`);
}

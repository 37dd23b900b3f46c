import type { CallContext } from './context.js';
import type { Scope } from './caller.js';

/** A JSON Schema object as we write it in declarations (root `type: "object"`). */
export type JsonSchema = { [key: string]: unknown };

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface CachePolicy<P> {
  /** How long a result stays fresh. */
  ttlMs: number;
  /**
   * Invalidation tags this result depends on (e.g. `fs:notes/a.md`, `db:table:users`). A write
   * operation that returns one of these tags from `invalidates` evicts the entry everywhere.
   */
  tags: (params: P) => string[];
  /**
   * Whether the result depends on the caller beyond their scopes. Default false: callers with the
   * same scopes share entries. Set true for per-caller results (sessions, per-user data).
   */
  perCaller?: boolean;
}

/**
 * One tool operation, declared once. Both dialects (MCP `tools/list`/`tools/call` and the
 * envelope's `content.tool_name`/`content.operation`) are generated from this declaration.
 */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds operations of every parameter/result type; each declaration keeps its own through defineOperation.
export interface ToolOperation<P = any, R = any> {
  /** Envelope `content.tool_name`, e.g. `file_system`. */
  tool: string;
  /** Envelope `content.operation`, e.g. `read_file`. */
  operation: string;
  /** MCP tool name: `^[a-zA-Z0-9_-]{1,64}$` (OpenAI and Anthropic reject dots). */
  mcpName: string;
  title: string;
  /** Written for a model: what it does, when to use it, what comes back. */
  description: string;
  /** Root `type: "object"`, `additionalProperties: false`, no top-level anyOf/oneOf/allOf. */
  inputSchema: JsonSchema;
  /** Root `type: "object"`; results are validated against it in tests. */
  outputSchema: JsonSchema;
  annotations: ToolAnnotations;
  scope: Scope;
  /** Read operations whose results may be cached. */
  cache?: CachePolicy<P>;
  /** Write operations: the cache tags this call makes stale (evaluated after success). */
  invalidates?: (params: P, result: R) => string[];
  /** Overrides the server's default per-call time limit. */
  timeoutMs?: number;
  handler: (params: P, ctx: CallContext) => Promise<R>;
}

/** Identity helper that keeps the parameter and result types of a declaration. */
export function defineOperation<P, R>(op: ToolOperation<P, R>): ToolOperation<P, R> {
  return op;
}

/** Shorthands for the four annotations, spelled out so no declaration relies on defaults. */
export const READ_ONLY: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

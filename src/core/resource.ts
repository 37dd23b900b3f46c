import type { Scope } from './caller.js';
import type { CallContext } from './context.js';

/** One entry of `resources/list` (MCP `Resource`). */
export interface ResourceEntry {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  /** Size in bytes, when known. */
  size?: number;
  annotations?: { lastModified?: string };
}

export interface ResourcePage {
  resources: ResourceEntry[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

/** What `resources/read` returns for one URI: text, or bytes as base64. */
export type ResourceContents = { uri: string; mimeType?: string; text: string } | { uri: string; mimeType?: string; blob: string };

export interface ResourceReadResult {
  contents: ResourceContents[];
}

/** The 2026-07-28 cache hints (`ttlMs`, `cacheScope`) a declaration's list and read results carry. */
export interface ClientCacheHint {
  ttlMs: number;
  /** `private`: only the requesting client may keep it; `public`: shared caches may too. */
  cacheScope: 'private' | 'public';
}

/**
 * A family of MCP resources, declared once like the tool operations (core/operation.ts): what
 * `resources/list`, `resources/templates/list` and `resources/read` serve. The MCP dialect
 * registers it; every list and read goes through the shared executor, so scope checks, the
 * result cache and the per-call time limit are the ones the tools have. The envelope dialect has
 * no resources: its callers use the tool operations (read_file) instead.
 */
export interface ResourceDeclaration {
  /** snake_case; names the list/read calls in logs, metrics and cache keys (e.g. `workspace_file`). */
  name: string;
  title: string;
  /** Written for the person attaching resources and for the model: what a resource is. */
  description: string;
  /** Must be `read`: resources are never a way to change anything. */
  scope: Scope;
  /** RFC 6570 template clients fill to name any resource of this family (`resources/templates/list`). */
  uriTemplate: string;
  /** Whether a URI belongs to this family (its scheme and form); a read of any other URI is "not found" here. */
  owns: (uri: string) => boolean;
  /** One page of the family, in a stable order. `cursor` is one this function returned. */
  list: (cursor: string | undefined, ctx: CallContext) => Promise<ResourcePage>;
  read: (uri: string, ctx: CallContext) => Promise<ResourceReadResult>;
  /** Server-side result cache for list pages and reads (tags as for operations: writes evict them). */
  cache?: { ttlMs: number; tags: () => string[] };
  clientCache: ClientCacheHint;
  /**
   * The tool operations (`tool.operation`) a list and a read count as for RATE_LIMIT_TOOLS, so a
   * limit on reading files also holds for reading them as resources.
   */
  rateLimitAs?: { list?: string; read?: string };
}

/** Identity helper, for symmetry with defineOperation. */
export function defineResource(declaration: ResourceDeclaration): ResourceDeclaration {
  return declaration;
}

import type { ToolOperation } from './operation.js';
import { READ_ONLY } from './operation.js';
import { registeredOperation, type RegisteredOperation } from './registry.js';
import type { ResourceDeclaration, ResourcePage, ResourceReadResult } from './resource.js';
import { createAjv, type Ajv } from './schema.js';

/** The executor's name for resource calls: `resources.list_<name>` / `resources.read_<name>`. */
export const RESOURCES_TOOL = 'resources';

const NAME = /^[a-z][a-z0-9_]{0,40}$/;
/** Far longer than any real path's URI; a bound so a hostile URI cannot make work or cache keys huge. */
const MAX_URI_LENGTH = 8192;
const MAX_CURSOR_LENGTH = 8192;

/** A declaration with its list and read turned into operations the shared executor runs. */
export interface CompiledResource {
  declaration: ResourceDeclaration;
  list: RegisteredOperation;
  read: RegisteredOperation;
}

/**
 * Every resource family the server serves. List and read become internal operations (never in
 * the tool registry, so neither `tools/list` nor the envelope sees them) so that they take the
 * one path every tool call takes: scope check, input validation, result cache, time limit, metrics.
 */
export class ResourceTable {
  readonly all: CompiledResource[];

  constructor(declarations: ResourceDeclaration[]) {
    let ajv: Ajv | undefined;
    const ajvOnce = () => (ajv ??= createAjv());
    const names = new Set<string>();
    this.all = declarations.map((declaration) => {
      const { name } = declaration;
      if (!NAME.test(name)) throw new Error(`resource ${name}: the name must be snake_case`);
      if (names.has(name)) throw new Error(`duplicate resource ${name}`);
      names.add(name);
      // Security: resources only ever read; the registry's rule for read-only operations applies.
      if (declaration.scope !== 'read') throw new Error(`resource ${name}: resources must need the read scope`);
      const common = {
        tool: RESOURCES_TOOL,
        annotations: READ_ONLY,
        scope: declaration.scope,
        outputSchema: { type: 'object' },
      } as const;
      const cache = declaration.cache;
      const list: ToolOperation<{ cursor?: string }, ResourcePage> = {
        ...common,
        operation: `list_${name}`,
        mcpName: `resources_list_${name}`,
        title: `List ${declaration.title}`,
        description: declaration.description,
        inputSchema: {
          type: 'object',
          properties: { cursor: { type: 'string', maxLength: MAX_CURSOR_LENGTH } },
          additionalProperties: false,
        },
        ...(cache ? { cache: { ttlMs: cache.ttlMs, tags: () => cache.tags() } } : {}),
        handler: (params, ctx) => declaration.list(params.cursor, ctx),
      };
      const read: ToolOperation<{ uri: string }, ResourceReadResult> = {
        ...common,
        operation: `read_${name}`,
        mcpName: `resources_read_${name}`,
        title: `Read ${declaration.title}`,
        description: declaration.description,
        inputSchema: {
          type: 'object',
          properties: { uri: { type: 'string', minLength: 1, maxLength: MAX_URI_LENGTH } },
          required: ['uri'],
          additionalProperties: false,
        },
        ...(cache ? { cache: { ttlMs: cache.ttlMs, tags: () => cache.tags() } } : {}),
        handler: (params, ctx) => declaration.read(params.uri, ctx),
      };
      return { declaration, list: registeredOperation(list, ajvOnce), read: registeredOperation(read, ajvOnce) };
    });
  }

  get empty(): boolean {
    return this.all.length === 0;
  }

  /** The family a URI belongs to, if any. */
  owner(uri: string): CompiledResource | undefined {
    return this.all.find((entry) => entry.declaration.owns(uri));
  }

  /**
   * `resources/list` pages through the families in order; the cursor names the family and that
   * family's own cursor. Undefined when the cursor is not one `pageCursor` made.
   */
  fromCursor(cursor: string | undefined): { entry: CompiledResource; inner: string | undefined } | undefined {
    if (cursor === undefined) return this.all[0] ? { entry: this.all[0], inner: undefined } : undefined;
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const { r, c } = (data ?? {}) as { r?: unknown; c?: unknown };
    const entry = this.all.find((e) => e.declaration.name === r);
    if (!entry || (c !== undefined && typeof c !== 'string')) return undefined;
    return { entry, inner: c };
  }

  /** The cursor for the page after one of `entry`'s pages (undefined after the last family's last page). */
  nextCursor(entry: CompiledResource, inner: string | undefined): string | undefined {
    let next: { r: string; c?: string } | undefined;
    if (inner !== undefined) next = { r: entry.declaration.name, c: inner };
    else {
      const following = this.all[this.all.indexOf(entry) + 1];
      next = following ? { r: following.declaration.name } : undefined;
    }
    return next && Buffer.from(JSON.stringify(next), 'utf8').toString('base64url');
  }
}

import { ToolError } from '../../../core/errors.js';
import { Pacer } from '../../../core/pacer.js';
import { defineOperation, READ_ONLY } from '../../../core/operation.js';
import { quote } from '../display.js';
import type { FsContext } from '../fsContext.js';
import { compileGlobs } from '../globs.js';
import type { EntryType } from '../kinds.js';
import { entryTypeSchema, pathParam, TOOL } from '../schemas.js';
import { walk } from '../walk.js';
import { joinRel } from './listDirectory.js';

interface Params {
  path?: string;
  depth?: number;
  exclude?: string[];
}

interface TreeEntry {
  path: string;
  type: EntryType;
  depth: number;
  not_expanded?: boolean;
}

interface Result {
  path: string;
  depth: number;
  entries: TreeEntry[];
  truncated: boolean;
}

export const excludeParam = {
  type: 'array',
  maxItems: 50,
  items: { type: 'string', minLength: 1, maxLength: 500 },
  default: [],
  description: 'Globs to skip, e.g. "node_modules" (no "/": names at any depth).',
};

export function directoryTreeOperation(tool: FsContext) {
  const { maxTreeDepth, maxListEntries } = tool.config;
  const defaultDepth = Math.min(3, maxTreeDepth);
  return defineOperation<Params, Result>({
    tool: TOOL,
    operation: 'directory_tree',
    mcpName: 'directory_tree',
    title: 'Show a folder tree',
    description:
      'Everything under a folder, depth-first by name: path, type and depth (1 = directly inside). Folders at the depth limit get not_expanded (call again on them). ' +
      `Up to ${maxListEntries} entries (truncated if more); links not followed.`,
    inputSchema: {
      type: 'object',
      properties: {
        path: { ...pathParam(), default: '/' },
        depth: { type: 'integer', minimum: 1, maximum: maxTreeDepth, default: defaultDepth },
        exclude: excludeParam,
      },
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        path: { type: 'string' },
        depth: { type: 'integer' },
        entries: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              path: { type: 'string' },
              type: entryTypeSchema,
              depth: { type: 'integer' },
              not_expanded: { type: 'boolean', description: 'A folder whose contents were not listed because of the depth limit.' },
            },
            required: ['path', 'type', 'depth'],
            additionalProperties: false,
          },
        },
        truncated: { type: 'boolean', description: 'True when the entry limit cut the tree short.' },
      },
      required: ['path', 'depth', 'entries', 'truncated'],
      additionalProperties: false,
    },
    annotations: READ_ONLY,
    scope: 'read',
    handler: async (params, ctx) => {
      const display = params.path ?? '/';
      const depth = params.depth ?? defaultDepth;
      const exclude = compileGlobs(params.exclude ?? [], 'exclude');
      const pacer = new Pacer(ctx.signal);
      const resolved = await tool.ws.resolveExisting(display, { followFinal: true });
      if (!resolved.stat.isDirectory()) throw new ToolError('INVALID_PARAMS', `${quote(display)} is not a folder.`);
      const entries: TreeEntry[] = [];
      let truncated = false;
      let folders = 0;
      const onFolder = () => {
        folders++;
        if (folders % 100 === 0) ctx.progress({ progress: folders, message: `read ${folders} folders` });
      };
      for await (const entry of walk(tool.ws, resolved.abs, display, { maxDepth: depth, exclude, pacer, signal: ctx.signal, onFolder })) {
        if (entries.length >= maxListEntries) {
          truncated = true;
          break;
        }
        entries.push({
          path: joinRel(resolved.requested, entry.rel),
          type: entry.type,
          depth: entry.depth,
          ...(entry.type === 'directory' && entry.depth === depth ? { not_expanded: true } : {}),
        });
      }
      return { path: resolved.requested, depth, entries, truncated };
    },
  });
}

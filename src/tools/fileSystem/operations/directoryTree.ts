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
  description:
    'Glob patterns to skip, relative to the folder (e.g. "node_modules", "*.log", "build/**"); a pattern without "/" matches a name at any depth. Skipped folders are not entered.',
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
      `Show everything under a folder as a flat, depth-first list sorted by name: each entry has its path (relative to the workspace root), type and depth (1 = directly inside). ` +
      `Descends "depth" levels (default ${defaultDepth}, at most ${maxTreeDepth}); folders at the last level are marked not_expanded, so call again on them to go deeper. ` +
      `At most ${maxListEntries} entries are returned; truncated: true means there were more. Symbolic links are listed but never followed.`,
    inputSchema: {
      type: 'object',
      properties: {
        path: { ...pathParam('Folder to start from.'), default: '/' },
        depth: { type: 'integer', minimum: 1, maximum: maxTreeDepth, default: defaultDepth, description: 'Levels to descend.' },
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

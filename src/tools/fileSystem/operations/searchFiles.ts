import { ToolError } from '../../../core/errors.js';
import { Pacer } from '../../../core/pacer.js';
import { defineOperation, READ_ONLY } from '../../../core/operation.js';
import { quote } from '../display.js';
import type { FsContext } from '../fsContext.js';
import { compileGlobs } from '../globs.js';
import type { EntryType } from '../kinds.js';
import { entryTypeSchema, pathParam, TOOL } from '../schemas.js';
import { walk } from '../walk.js';
import { excludeParam } from './directoryTree.js';
import { joinRel } from './listDirectory.js';

interface Params {
  path?: string;
  pattern: string;
  exclude?: string[];
  max_results?: number;
}

interface Result {
  path: string;
  pattern: string;
  matches: Array<{ path: string; type: EntryType }>;
  truncated: boolean;
}

/** Far deeper than any real project; keeps a pathological tree from running the walk forever. */
const SEARCH_MAX_DEPTH = 256;

export function searchFilesOperation(tool: FsContext) {
  const max = tool.config.maxSearchResults;
  const defaultMax = Math.min(100, max);
  return defineOperation<Params, Result>({
    tool: TOOL,
    operation: 'search_files',
    mcpName: 'search_files',
    title: 'Find files by name',
    description:
      'Find files and folders under a folder whose path matches a glob ("*.md" matches names at any depth, "src/**/*.ts" paths; {a,b} and ? work). ' +
      'Case-sensitive, dot files included, links not followed; names, not contents. truncated if more than max_results.',
    inputSchema: {
      type: 'object',
      properties: {
        path: { ...pathParam(), default: '/' },
        pattern: { type: 'string', minLength: 1, maxLength: 500 },
        exclude: excludeParam,
        max_results: { type: 'integer', minimum: 1, maximum: max, default: defaultMax },
      },
      required: ['pattern'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        path: { type: 'string' },
        pattern: { type: 'string' },
        matches: {
          type: 'array',
          items: {
            type: 'object',
            properties: { path: { type: 'string', description: 'Relative to the workspace root.' }, type: entryTypeSchema },
            required: ['path', 'type'],
            additionalProperties: false,
          },
        },
        truncated: { type: 'boolean', description: 'True when more matches exist than were returned.' },
      },
      required: ['path', 'pattern', 'matches', 'truncated'],
      additionalProperties: false,
    },
    annotations: READ_ONLY,
    scope: 'read',
    handler: async (params, ctx) => {
      const display = params.path ?? '/';
      const limit = params.max_results ?? defaultMax;
      const matches = compileGlobs([params.pattern], 'pattern');
      const exclude = compileGlobs(params.exclude ?? [], 'exclude');
      const pacer = new Pacer(ctx.signal);
      const resolved = await tool.ws.resolveExisting(display, { followFinal: true });
      if (!resolved.stat.isDirectory())
        throw new ToolError('INVALID_PARAMS', `${quote(display)} is not a folder; search_files searches inside a folder.`);
      const found: Result['matches'] = [];
      let truncated = false;
      let folders = 0;
      const onFolder = () => {
        folders++;
        if (folders % 100 === 0) ctx.progress({ progress: folders, message: `searched ${folders} folders, ${found.length} matches` });
      };
      for await (const entry of walk(tool.ws, resolved.abs, display, {
        maxDepth: SEARCH_MAX_DEPTH,
        exclude,
        pacer,
        signal: ctx.signal,
        onFolder,
      })) {
        if (!(await matches.test(entry.rel, pacer))) continue;
        if (found.length >= limit) {
          truncated = true;
          break;
        }
        found.push({ path: joinRel(resolved.requested, entry.rel), type: entry.type });
      }
      return { path: resolved.requested, pattern: params.pattern, matches: found, truncated };
    },
  });
}

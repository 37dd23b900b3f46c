import { promises as fs } from 'node:fs';
import { ToolError } from '../../../core/errors.js';
import { defineOperation, READ_ONLY } from '../../../core/operation.js';
import { nullable } from '../../../core/valueSchemas.js';
import { compareNames, decodeCursor, encodeCursor } from '../cursor.js';
import { quote } from '../display.js';
import type { FsContext } from '../fsContext.js';
import { entryType, type EntryType } from '../kinds.js';
import { entryTypeSchema, isoTime, pathParam, TOOL } from '../schemas.js';
import { lstatOrNull } from '../writeSupport.js';

interface Params {
  path?: string;
  cursor?: string;
  limit?: number;
}

interface Entry {
  name: string;
  path: string;
  type: EntryType;
  size?: number;
  modified: string;
}

interface Result {
  path: string;
  entries: Entry[];
  total: number;
  next_cursor: string | null;
  truncated: boolean;
}

export function joinRel(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

export function listDirectoryOperation(tool: FsContext) {
  const max = tool.config.maxListEntries;
  const defaultLimit = Math.min(200, max);
  return defineOperation<Params, Result>({
    tool: TOOL,
    operation: 'list_directory',
    mcpName: 'list_directory',
    title: 'List a folder',
    description: "List a folder's entries by name: type, size, modified. If truncated, pass next_cursor as cursor for the next page.",
    inputSchema: {
      type: 'object',
      properties: {
        path: { ...pathParam(), default: '/' },
        cursor: { type: 'string', maxLength: 8192 },
        limit: { type: 'integer', minimum: 1, maximum: max, default: defaultLimit },
      },
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'The folder listed, relative to the workspace root ("" is the root).' },
        entries: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              path: { type: 'string', description: 'Path relative to the workspace root, usable in other calls.' },
              type: entryTypeSchema,
              size: { type: 'integer' },
              modified: isoTime,
            },
            required: ['name', 'path', 'type', 'modified'],
            additionalProperties: false,
          },
        },
        total: { type: 'integer', description: 'Entries in the folder altogether.' },
        next_cursor: nullable({ type: 'string' }),
        truncated: { type: 'boolean', description: 'True when more entries remain after this page.' },
      },
      required: ['path', 'entries', 'total', 'next_cursor', 'truncated'],
      additionalProperties: false,
    },
    annotations: READ_ONLY,
    scope: 'read',
    handler: async (params) => {
      const display = params.path ?? '/';
      const limit = params.limit ?? defaultLimit;
      const resolved = await tool.ws.resolveExisting(display, { followFinal: true });
      if (!resolved.stat.isDirectory()) {
        throw new ToolError('INVALID_PARAMS', `${quote(display)} is not a folder. Use read_file or get_file_info for files.`);
      }
      const dirRel = resolved.requested;
      const after = params.cursor !== undefined ? decodeCursor(params.cursor, dirRel) : undefined;
      return tool.ws.inDir(resolved.abs, display, async (dir) => {
        const names = (await fs.readdir(dir.path)).sort(compareNames);
        const rest = after === undefined ? names : names.filter((n) => compareNames(n, after) > 0);
        const page = rest.slice(0, limit);
        const entries: Entry[] = [];
        for (const name of page) {
          const stat = await lstatOrNull(dir.child(name));
          if (!stat) continue; // removed while we listed
          const type = entryType(stat);
          entries.push({
            name,
            path: joinRel(dirRel, name),
            type,
            ...(type === 'file' ? { size: stat.size } : {}),
            modified: stat.mtime.toISOString(),
          });
        }
        const more = rest.length > page.length;
        return {
          path: dirRel,
          entries,
          total: names.length,
          next_cursor: more && page.length > 0 ? encodeCursor(dirRel, page[page.length - 1]!) : null,
          truncated: more,
        };
      });
    },
  });
}

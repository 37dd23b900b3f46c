import { isToolError } from '../../../core/errors.js';
import { defineOperation, READ_ONLY } from '../../../core/operation.js';
import type { FsContext } from '../fsContext.js';
import { entryType, type EntryType } from '../kinds.js';
import { entryTypeSchema, isoTime, pathParam, TOOL } from '../schemas.js';

interface Params {
  path: string;
}

interface Result {
  path: string;
  type: EntryType;
  size: number;
  modified: string;
  created?: string;
  permissions: string;
  link_status?: 'inside' | 'outside' | 'broken';
  link_target?: string;
}

export function getFileInfoOperation(tool: FsContext) {
  return defineOperation<Params, Result>({
    tool: TOOL,
    operation: 'get_file_info',
    mcpName: 'get_file_info',
    title: 'Get file information',
    description:
      "A file or folder's type, size, modified, created (if recorded) and octal permissions, without reading it. " +
      'For a link: link_status inside (link_target is its path), outside or broken; never followed.',
    inputSchema: {
      type: 'object',
      properties: { path: pathParam() },
      required: ['path'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        path: { type: 'string' },
        type: entryTypeSchema,
        size: { type: 'integer' },
        modified: isoTime,
        created: isoTime,
        permissions: { type: 'string', description: 'Unix permission bits in octal.' },
        link_status: { type: 'string', enum: ['inside', 'outside', 'broken'] },
        link_target: { type: 'string', description: 'Where the link leads, relative to the workspace root (only when inside).' },
      },
      required: ['path', 'type', 'size', 'modified', 'permissions'],
      additionalProperties: false,
    },
    annotations: READ_ONLY,
    scope: 'read',
    handler: async (params) => {
      const resolved = await tool.ws.resolveExisting(params.path, { followFinal: false });
      const { stat } = resolved;
      const result: Result = {
        path: resolved.requested,
        type: entryType(stat),
        size: stat.size,
        modified: stat.mtime.toISOString(),
        ...(stat.birthtimeMs > 0 ? { created: stat.birthtime.toISOString() } : {}),
        permissions: (stat.mode & 0o7777).toString(8).padStart(3, '0'),
      };
      if (stat.isSymbolicLink()) {
        // Security: the target is described only as a workspace path, never as the raw link text
        // (which could name server paths outside the workspace).
        try {
          const target = await tool.ws.resolve(params.path, { followFinal: true });
          if (target.stat) {
            result.link_status = 'inside';
            result.link_target = target.rel;
          } else {
            result.link_status = 'broken';
          }
        } catch (error) {
          if (!isToolError(error)) throw error;
          result.link_status = error.code === 'FORBIDDEN' ? 'outside' : 'broken';
        }
      }
      return result;
    },
  });
}

import { ToolError } from '../../../core/errors.js';
import { defineOperation } from '../../../core/operation.js';
import { writeInvalidates } from '../cacheTags.js';
import { quote } from '../display.js';
import type { FsContext } from '../fsContext.js';
import { pathParam, TOOL } from '../schemas.js';

interface Params {
  path: string;
}

interface Result {
  path: string;
  created: boolean;
}

export function createDirectoryOperation(tool: FsContext) {
  return defineOperation<Params, Result>({
    tool: TOOL,
    operation: 'create_directory',
    mcpName: 'create_directory',
    title: 'Create a folder',
    description: 'Create a folder and missing parents. An existing folder is fine (created: false); a file there is a CONFLICT.',
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
        created: { type: 'boolean', description: 'False when the folder already existed.' },
      },
      required: ['path', 'created'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    scope: 'write',
    invalidates: (_params, result) => (result.created ? writeInvalidates() : []),
    handler: async (params) => {
      const display = params.path;
      // Security: a final symlink is not followed, so a link (even a dangling one) never becomes a folder elsewhere.
      const resolved = await tool.ws.resolve(display, { followFinal: false });
      if (resolved.stat) {
        if (resolved.stat.isDirectory()) return { path: resolved.requested, created: false };
        const what = resolved.stat.isSymbolicLink() ? 'a symbolic link' : 'a file';
        throw new ToolError('CONFLICT', `${quote(display)} already exists as ${what}, not a folder.`);
      }
      const { dir, created } = await tool.ws.makeDirs(resolved, resolved.missing.length);
      await dir.close().catch(() => {});
      for (const path of created) await tool.emit({ kind: 'mkdir', path });
      return { path: resolved.requested, created: created.length > 0 };
    },
  });
}

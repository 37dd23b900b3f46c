import { promises as fs } from 'node:fs';
import { ToolError } from '../../../core/errors.js';
import { defineOperation } from '../../../core/operation.js';
import { writeInvalidates } from '../cacheTags.js';
import { quote } from '../display.js';
import type { FsContext } from '../fsContext.js';
import { toFsToolError, withFsErrors } from '../fsErrors.js';
import { entryType, type EntryType } from '../kinds.js';
import { entryTypeSchema, pathParam, TOOL } from '../schemas.js';
import { lstatOrNull } from '../writeSupport.js';
import { rootRefused } from '../workspace.js';

interface Params {
  path: string;
  recursive?: boolean;
}

interface Result {
  path: string;
  type: EntryType;
  deleted: boolean;
}

export function deleteFileOperation(tool: FsContext) {
  return defineOperation<Params, Result>({
    tool: TOOL,
    operation: 'delete_file',
    mcpName: 'delete_file',
    title: 'Delete a file or folder',
    description: 'Delete a file or link (not its target). A folder needs recursive: true, which deletes everything in it. No undo.',
    inputSchema: {
      type: 'object',
      properties: {
        path: pathParam(),
        recursive: { type: 'boolean', default: false },
      },
      required: ['path'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        path: { type: 'string' },
        type: entryTypeSchema,
        deleted: { type: 'boolean' },
      },
      required: ['path', 'type', 'deleted'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    scope: 'write',
    invalidates: () => writeInvalidates(),
    handler: async (params) => {
      const display = params.path;
      const recursive = params.recursive ?? false;
      // Security: the final part is not followed: deleting a link removes the link only.
      const resolved = await tool.ws.resolve(display, { followFinal: false });
      if (resolved.rel === '') throw rootRefused(display);
      if (!resolved.stat) throw toFsToolError(Object.assign(new Error('missing'), { code: 'ENOENT' }), display);
      const type = await tool.ws.lock.run([resolved.abs], () =>
        tool.ws.inParent(resolved, (dir, name) =>
          withFsErrors(display, async () => {
            const target = dir.child(name);
            const stat = await lstatOrNull(target);
            if (!stat) throw toFsToolError(Object.assign(new Error('missing'), { code: 'ENOENT' }), display);
            if (stat.isDirectory()) {
              if (!recursive) {
                throw new ToolError(
                  'INVALID_PARAMS',
                  `${quote(display)} is a folder; pass "recursive": true to delete it with everything inside.`,
                );
              }
              // fs.rm removes links inside the folder as links; it never descends through them.
              await fs.rm(target, { recursive: true });
            } else {
              await fs.unlink(target);
            }
            await dir.sync().catch(() => {});
            return entryType(stat);
          }),
        ),
      );
      await tool.emit({ kind: 'delete', path: resolved.rel, ...(type === 'directory' ? { recursive: true } : {}) });
      return { path: resolved.requested, type, deleted: true };
    },
  });
}

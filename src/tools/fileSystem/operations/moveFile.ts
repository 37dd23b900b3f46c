import { promises as fs } from 'node:fs';
import { ToolError } from '../../../core/errors.js';
import { defineOperation } from '../../../core/operation.js';
import { writeInvalidates } from '../cacheTags.js';
import { quote } from '../display.js';
import type { FsContext } from '../fsContext.js';
import { toFsToolError, withFsErrors } from '../fsErrors.js';
import { pathParam, TOOL } from '../schemas.js';
import { lstatOrNull } from '../writeSupport.js';
import { rootRefused } from '../workspace.js';

interface Params {
  source: string;
  destination: string;
  overwrite?: boolean;
}

interface Result {
  source: string;
  destination: string;
  overwritten: boolean;
}

export function moveFileOperation(tool: FsContext) {
  return defineOperation<Params, Result>({
    tool: TOOL,
    operation: 'move_file',
    mcpName: 'move_file',
    title: 'Move or rename',
    description:
      'Move or rename a file, folder or link to the full new path (e.g. "docs/a.txt") in an existing folder. ' +
      'An existing destination is a CONFLICT unless overwrite (never replaces a folder).',
    inputSchema: {
      type: 'object',
      properties: {
        source: pathParam(),
        destination: pathParam(),
        overwrite: { type: 'boolean', default: false },
      },
      required: ['source', 'destination'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        source: { type: 'string' },
        destination: { type: 'string' },
        overwritten: { type: 'boolean', description: 'True when an existing file at destination was replaced.' },
      },
      required: ['source', 'destination', 'overwritten'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    scope: 'write',
    invalidates: () => writeInvalidates(),
    handler: async (params) => {
      const overwrite = params.overwrite ?? false;
      // Security: neither end follows a final link: a link is moved as a link, and a link at the
      // destination is replaced (with overwrite), never written through.
      const from = await tool.ws.resolve(params.source, { followFinal: false });
      const to = await tool.ws.resolve(params.destination, { followFinal: false });
      if (from.rel === '') throw rootRefused(params.source);
      if (to.rel === '') throw rootRefused(params.destination);
      if (!from.stat) throw toFsToolError(Object.assign(new Error('missing'), { code: 'ENOENT' }), params.source);
      if (to.missing.length > 1) {
        throw new ToolError(
          'NOT_FOUND',
          `The folder for ${quote(params.destination)} does not exist; create it with create_directory first.`,
        );
      }
      if (from.abs === to.abs) return { source: from.requested, destination: to.requested, overwritten: false };
      if (to.rel.startsWith(`${from.rel}/`)) {
        throw new ToolError('INVALID_PARAMS', `${quote(params.source)} cannot be moved into itself (${quote(params.destination)}).`);
      }
      const overwritten = await tool.ws.lock.run([from.abs, to.abs], () =>
        tool.ws.inParent(from, (fromDir, fromName) =>
          tool.ws.inParent(to, (toDir, toName) =>
            withFsErrors(params.source, async () => {
              const source = await lstatOrNull(fromDir.child(fromName));
              if (!source) throw toFsToolError(Object.assign(new Error('missing'), { code: 'ENOENT' }), params.source);
              const existing = await lstatOrNull(toDir.child(toName));
              if (existing) {
                if (!overwrite) {
                  throw new ToolError(
                    'CONFLICT',
                    `${quote(params.destination)} already exists. Pass "overwrite": true to replace it, or choose another name.`,
                  );
                }
                if (existing.isDirectory()) {
                  throw new ToolError(
                    'CONFLICT',
                    `${quote(params.destination)} is a folder; overwrite never replaces folders. Delete it first or choose another name.`,
                  );
                }
                if (source.isDirectory()) {
                  throw new ToolError(
                    'CONFLICT',
                    `${quote(params.destination)} exists and is not a folder, so the folder ${quote(params.source)} cannot replace it.`,
                  );
                }
              }
              await fs.rename(fromDir.child(fromName), toDir.child(toName));
              await toDir.sync().catch(() => {});
              await fromDir.sync().catch(() => {});
              return existing !== null;
            }),
          ),
        ),
      );
      await tool.emit({ kind: 'move', from: from.rel, to: to.rel });
      return { source: from.requested, destination: to.requested, overwritten };
    },
  });
}

import { ToolError } from '../../../core/errors.js';
import { defineOperation } from '../../../core/operation.js';
import { throwIfAborted } from '../abort.js';
import { atomicWrite } from '../atomicWrite.js';
import { writeInvalidates } from '../cacheTags.js';
import { quote } from '../display.js';
import { etagMatches, etagOf } from '../etag.js';
import type { FsContext } from '../fsContext.js';
import { toFsToolError, withFsErrors } from '../fsErrors.js';
import { etagParam, etagSchema, pathParam, TOOL } from '../schemas.js';
import { editOffThread } from '../editOffThread.js';
import type { TextEdit } from '../textEdits.js';
import { assertWritableTarget, lstatOrNull, readAll } from '../writeSupport.js';

interface Params {
  path: string;
  edits: TextEdit[];
  dry_run?: boolean;
  if_match?: string;
}

interface Result {
  path: string;
  dry_run: boolean;
  applied: number;
  diff: string;
  diff_truncated: boolean;
  size: number;
  etag: string;
}

const MAX_EDITS = 100;

export function editFileOperation(tool: FsContext) {
  const { maxWriteBytes, maxReadBytes } = tool.config;
  return defineOperation<Params, Result>({
    tool: TOOL,
    operation: 'edit_file',
    mcpName: 'edit_file',
    title: 'Edit a file',
    description:
      'Replace exact text in a text file: each old_text must occur exactly once (add context to make it unique). ' +
      'Edits apply in order, all or nothing, atomically. Returns a unified diff and the new etag; dry_run previews.',
    inputSchema: {
      type: 'object',
      properties: {
        path: pathParam(),
        edits: {
          type: 'array',
          minItems: 1,
          maxItems: MAX_EDITS,
          items: {
            type: 'object',
            properties: {
              old_text: { type: 'string', minLength: 1 },
              new_text: { type: 'string' },
            },
            required: ['old_text', 'new_text'],
            additionalProperties: false,
          },
        },
        dry_run: { type: 'boolean', default: false },
        if_match: etagParam,
      },
      required: ['path', 'edits'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        path: { type: 'string' },
        dry_run: { type: 'boolean' },
        applied: { type: 'integer', description: 'Number of edits applied (or that would be, on a dry run).' },
        diff: { type: 'string', description: 'Unified diff from the old to the new content.' },
        diff_truncated: { type: 'boolean', description: 'True when the diff was too long and was cut.' },
        size: { type: 'integer', description: 'Size in bytes after the edits (what it would be, on a dry run).' },
        etag: { ...etagSchema, description: 'Etag of the file after the edits (unchanged on a dry run).' },
      },
      required: ['path', 'dry_run', 'applied', 'diff', 'diff_truncated', 'size', 'etag'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    scope: 'write',
    invalidates: (params) => (params.dry_run ? [] : writeInvalidates()),
    handler: async (params, ctx) => {
      const display = params.path;
      const dryRun = params.dry_run ?? false;
      const resolved = await tool.ws.resolve(display, { followFinal: false });
      if (!resolved.stat) throw toFsToolError(Object.assign(new Error('missing'), { code: 'ENOENT' }), display);
      const result = await tool.ws.lock.run([resolved.abs], async () => {
        const { dir, name } = await tool.ws.openParentFor(resolved, false);
        try {
          return await withFsErrors(display, async () => {
            const current = await lstatOrNull(dir.child(name));
            if (!current) throw toFsToolError(Object.assign(new Error('missing'), { code: 'ENOENT' }), display);
            assertWritableTarget(current, display);
            const { handle, stat } = await tool.ws.openChild(dir, name, display);
            const before = await readAll(
              handle,
              maxWriteBytes,
              () =>
                new ToolError(
                  'PAYLOAD_TOO_LARGE',
                  `${quote(display)} is larger than the ${maxWriteBytes}-byte edit limit; it cannot be edited through this tool.`,
                ),
            ).finally(() => handle.close().catch(() => {}));
            const beforeEtag = etagOf(before);
            if (params.if_match !== undefined && !etagMatches(params.if_match, beforeEtag)) {
              throw new ToolError(
                'CONFLICT',
                `${quote(display)} changed since you read it (its etag differs); nothing was written. Read it again and redo the edits.`,
              );
            }
            let oldText: string;
            try {
              oldText = new TextDecoder('utf-8', { fatal: true }).decode(before);
            } catch {
              throw new ToolError(
                'INVALID_PARAMS',
                `${quote(display)} is not UTF-8 text, so it cannot be edited; use write_file to replace it.`,
              );
            }
            const { newText, diff: fullDiff } = await editOffThread(
              { text: oldText, edits: params.edits, display, name: resolved.requested },
              ctx.signal,
            );
            const after = Buffer.from(newText, 'utf8');
            if (after.length > maxWriteBytes) {
              throw new ToolError(
                'PAYLOAD_TOO_LARGE',
                `After the edits ${quote(display)} would be ${after.length} bytes, over the ${maxWriteBytes}-byte write limit.`,
              );
            }
            let diff = fullDiff;
            const diffTruncated = diff.length > maxReadBytes;
            if (diffTruncated) diff = `${diff.slice(0, maxReadBytes)}\n… (diff cut at ${maxReadBytes} characters)\n`;
            const summary = {
              path: resolved.requested,
              dry_run: dryRun,
              applied: params.edits.length,
              diff,
              diff_truncated: diffTruncated,
              size: after.length,
            };
            if (dryRun) return { ...summary, etag: beforeEtag };
            throwIfAborted(ctx.signal);
            await atomicWrite(dir, name, after, { mode: stat.mode & 0o7777, signal: ctx.signal, hooks: tool.hooks });
            return { ...summary, etag: etagOf(after) };
          });
        } finally {
          await dir.close().catch(() => {});
        }
      });
      if (!dryRun) await tool.emit({ kind: 'write', path: resolved.rel });
      return result;
    },
  });
}

import { ToolError } from '../../../core/errors.js';
import { defineOperation } from '../../../core/operation.js';
import { throwIfAborted } from '../abort.js';
import { atomicWrite } from '../atomicWrite.js';
import { writeInvalidates } from '../cacheTags.js';
import { quote } from '../display.js';
import { etagMatches, etagOf, etagOfHandle } from '../etag.js';
import type { FsContext } from '../fsContext.js';
import { withFsErrors } from '../fsErrors.js';
import { etagParam, etagSchema, isoTime, pathParam, TOOL } from '../schemas.js';
import { assertWritableTarget, decodeContent, lstatOrNull } from '../writeSupport.js';

interface Params {
  path: string;
  content: string;
  encoding?: 'utf8' | 'base64';
  if_match?: string;
  create_parents?: boolean;
}

interface Result {
  path: string;
  size: number;
  etag: string;
  modified: string;
  created: boolean;
}

export function writeFileOperation(tool: FsContext) {
  const { maxWriteBytes } = tool.config;
  return defineOperation<Params, Result>({
    tool: TOOL,
    operation: 'write_file',
    mcpName: 'write_file',
    title: 'Write a file',
    description:
      `Create or replace a whole file (up to ${maxWriteBytes} bytes), atomically. if_match (etag from read_file) avoids overwriting others' changes. ` +
      'Missing folders fail unless create_parents; encoding "base64" writes bytes. Prefer edit_file for small changes.',
    inputSchema: {
      type: 'object',
      properties: {
        path: pathParam(),
        content: { type: 'string' },
        encoding: {
          type: 'string',
          enum: ['utf8', 'base64'],
          default: 'utf8',
        },
        if_match: etagParam,
        create_parents: { type: 'boolean', default: false },
      },
      required: ['path', 'content'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        path: { type: 'string' },
        size: { type: 'integer' },
        etag: etagSchema,
        modified: isoTime,
        created: { type: 'boolean', description: 'True when the file did not exist before.' },
      },
      required: ['path', 'size', 'etag', 'modified', 'created'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    scope: 'write',
    invalidates: () => writeInvalidates(),
    handler: async (params, ctx) => {
      const display = params.path;
      const data = decodeContent(params.content, params.encoding ?? 'utf8', maxWriteBytes, display);
      const resolved = await tool.ws.resolve(display, { followFinal: false });
      const createdDirs: string[] = [];
      const outcome = await tool.ws.lock
        .run([resolved.abs], async () => {
          const { dir, name, created } = await tool.ws.openParentFor(resolved, params.create_parents ?? false);
          createdDirs.push(...created);
          try {
            return await withFsErrors(display, async () => {
              const current = await lstatOrNull(dir.child(name));
              assertWritableTarget(current, display);
              if (params.if_match !== undefined) {
                if (!current) {
                  throw new ToolError(
                    'CONFLICT',
                    `${quote(display)} does not exist, so it cannot match the given etag; nothing was written. Omit if_match to create it.`,
                  );
                }
                const { handle } = await tool.ws.openChild(dir, name, display);
                const actual = await etagOfHandle(handle, ctx.signal).finally(() => handle.close().catch(() => {}));
                if (!etagMatches(params.if_match, actual)) {
                  throw new ToolError(
                    'CONFLICT',
                    `${quote(display)} changed since you read it (its etag differs); nothing was written. Read it again, then retry with the new etag.`,
                  );
                }
              }
              throwIfAborted(ctx.signal);
              const stat = await atomicWrite(dir, name, data, {
                mode: current ? current.mode & 0o7777 : undefined,
                signal: ctx.signal,
                hooks: tool.hooks,
              });
              return { stat, existed: current !== null };
            });
          } finally {
            await dir.close().catch(() => {});
          }
        })
        .finally(async () => {
          // Folders made for this write exist even if the write itself then failed.
          for (const dirPath of createdDirs) await tool.emit({ kind: 'mkdir', path: dirPath });
        });
      await tool.emit({ kind: 'write', path: resolved.rel });
      return {
        path: resolved.requested,
        size: data.length,
        etag: etagOf(data),
        modified: outcome.stat.mtime.toISOString(),
        created: !outcome.existed,
      };
    },
  });
}

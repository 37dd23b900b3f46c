import { toToolError } from '../../../core/errors.js';
import { defineOperation, READ_ONLY } from '../../../core/operation.js';
import type { FsContext } from '../fsContext.js';
import { pathParam, TOOL } from '../schemas.js';
import { readFileContent, readFileOutputProperties } from './readFile.js';

interface Params {
  paths: string[];
}

interface FileOutcome {
  path: string;
  ok: boolean;
  content?: string;
  size?: number;
  modified?: string;
  etag?: string;
  total_lines?: number;
  error?: { code: string; message: string };
}

interface Result {
  files: FileOutcome[];
  truncated: boolean;
}

export function readMultipleFilesOperation(tool: FsContext) {
  const { maxMultiRead, maxReadBytes } = tool.config;
  return defineOperation<Params, Result>({
    tool: TOOL,
    operation: 'read_multiple_files',
    mcpName: 'read_multiple_files',
    title: 'Read several files',
    description:
      `Read up to ${maxMultiRead} whole text files; each is ok: true with content and etag, or ok: false with an error. ` +
      `They share one ${maxReadBytes}-byte limit: files past it fail and truncated is true.`,
    inputSchema: {
      type: 'object',
      properties: {
        paths: {
          type: 'array',
          items: pathParam(),
          minItems: 1,
          maxItems: maxMultiRead,
          description: 'In the order to return them.',
        },
      },
      required: ['paths'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        files: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              path: { type: 'string', description: 'The path as you gave it.' },
              ok: { type: 'boolean' },
              content: readFileOutputProperties.content,
              size: readFileOutputProperties.size,
              modified: readFileOutputProperties.modified,
              etag: readFileOutputProperties.etag,
              total_lines: readFileOutputProperties.total_lines,
              error: {
                type: 'object',
                properties: { code: { type: 'string' }, message: { type: 'string' } },
                required: ['code', 'message'],
                additionalProperties: false,
              },
            },
            required: ['path', 'ok'],
            additionalProperties: false,
          },
        },
        truncated: { type: 'boolean', description: 'True when some files were skipped because the combined size limit was reached.' },
      },
      required: ['files', 'truncated'],
      additionalProperties: false,
    },
    annotations: READ_ONLY,
    scope: 'read',
    handler: async (params, ctx) => {
      const files: FileOutcome[] = [];
      // Security: one byte budget for the whole call, so N files cannot return N times the cap.
      let budget = maxReadBytes;
      let truncated = false;
      // One at a time: the byte budget is shared and memory stays bounded by it.
      for (const path of params.paths) {
        if (budget <= 0) {
          truncated = true;
          files.push({
            path,
            ok: false,
            error: {
              code: 'PAYLOAD_TOO_LARGE',
              message: 'Skipped: the combined size limit of this call was reached. Read this file with read_file.',
            },
          });
          continue;
        }
        try {
          const r = await readFileContent(tool, { path }, ctx, budget);
          budget -= Buffer.byteLength(r.content, 'utf8');
          files.push({ path, ok: true, content: r.content, size: r.size, modified: r.modified, etag: r.etag, total_lines: r.total_lines });
        } catch (error) {
          const e = toToolError(error);
          if (e.code === 'CANCELLED' || e.code === 'TIMEOUT') throw e;
          if (e.code === 'INTERNAL_ERROR')
            ctx.logger.error('read_multiple_files item failed', {
              requestId: ctx.requestId,
              error: error instanceof Error ? error.message : String(error),
            });
          if (e.code === 'PAYLOAD_TOO_LARGE' && budget < maxReadBytes) {
            truncated = true;
            files.push({
              path,
              ok: false,
              error: {
                code: e.code,
                message: "Skipped: it does not fit in what is left of this call's combined size limit. Read it with read_file.",
              },
            });
            continue;
          }
          files.push({ path, ok: false, error: { code: e.code, message: e.message } });
        }
      }
      return { files, truncated };
    },
  });
}

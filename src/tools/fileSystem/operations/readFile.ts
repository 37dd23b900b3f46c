import { ToolError } from '../../../core/errors.js';
import { defineOperation, READ_ONLY } from '../../../core/operation.js';
import type { CallContext } from '../../../core/context.js';
import { readTags } from '../cacheTags.js';
import { quote } from '../display.js';
import { etagOf } from '../etag.js';
import type { FsContext } from '../fsContext.js';
import { etagSchema, isoTime, pathParam, TOOL } from '../schemas.js';
import { readAll } from '../writeSupport.js';
import { readTextSelection, type LineSelection } from '../textReader.js';

export interface ReadFileParams {
  path: string;
  encoding?: 'utf8' | 'base64';
  offset?: number;
  limit?: number;
  head?: number;
  tail?: number;
}

export interface ReadFileResult {
  path: string;
  encoding: 'utf8' | 'base64';
  content: string;
  size: number;
  modified: string;
  etag: string;
  truncated: boolean;
  total_lines?: number;
  start_line?: number;
  end_line?: number;
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${bytes} bytes`;
}

function selectionOf(p: ReadFileParams): LineSelection {
  const sliced = p.offset !== undefined || p.limit !== undefined;
  if ([sliced, p.head !== undefined, p.tail !== undefined].filter(Boolean).length > 1) {
    throw new ToolError('INVALID_PARAMS', 'Use only one of offset/limit, head or tail in one read_file call.');
  }
  if (p.head !== undefined) return { kind: 'range', skip: 0, take: p.head };
  if (p.tail !== undefined) return { kind: 'tail', count: p.tail };
  if (sliced) return { kind: 'range', skip: p.offset ?? 0, take: p.limit };
  return { kind: 'all' };
}

/** Reads one file as read_file does; shared with read_multiple_files. */
export async function readFileContent(
  tool: FsContext,
  p: ReadFileParams,
  ctx: CallContext,
  maxBytes = tool.config.maxReadBytes,
): Promise<ReadFileResult> {
  const encoding = p.encoding ?? 'utf8';
  const selection = selectionOf(p);
  if (encoding === 'base64' && selection.kind !== 'all') {
    throw new ToolError(
      'INVALID_PARAMS',
      'offset, limit, head and tail count lines of text; with encoding "base64" the whole file is returned, so leave them out.',
    );
  }
  const resolved = await tool.ws.resolveExisting(p.path, { followFinal: true });
  const { handle, stat } = await tool.ws.openFile(resolved);
  try {
    const base = { path: resolved.requested, encoding, size: stat.size, modified: stat.mtime.toISOString() };
    if (encoding === 'base64') {
      if (stat.size > maxBytes) {
        throw new ToolError(
          'PAYLOAD_TOO_LARGE',
          `${quote(p.path)} is ${mib(stat.size)}, over the ${mib(maxBytes)} read limit; base64 reads return whole files only, so this file cannot be read through this tool.`,
        );
      }
      const data = await readAll(
        handle,
        maxBytes,
        () => new ToolError('PAYLOAD_TOO_LARGE', `${quote(p.path)} grew past the ${mib(maxBytes)} read limit while being read.`),
      );
      return { ...base, size: data.length, content: data.toString('base64'), etag: etagOf(data), truncated: false };
    }
    if (selection.kind === 'all' && stat.size > maxBytes) {
      throw new ToolError(
        'PAYLOAD_TOO_LARGE',
        `${quote(p.path)} is ${mib(stat.size)}, over the ${mib(maxBytes)} read limit. Read a part instead: "head": 200 or "tail": 200 for the first or last lines, or "offset" (lines to skip) with "limit" (lines to return).`,
      );
    }
    const text = await readTextSelection(handle, selection, maxBytes, ctx.signal, (done) =>
      ctx.progress({ progress: done, total: stat.size, message: 'reading' }),
    );
    if (text.binary) {
      throw new ToolError(
        'INVALID_PARAMS',
        `${quote(p.path)} looks like a binary file, not UTF-8 text. Read it with "encoding": "base64" if you need its bytes.`,
      );
    }
    return {
      ...base,
      content: text.content,
      etag: text.etag,
      truncated: text.truncated,
      total_lines: text.totalLines,
      start_line: text.startLine,
      end_line: text.endLine,
    };
  } finally {
    await handle.close().catch(() => {});
  }
}

export const readFileOutputProperties = {
  path: { type: 'string', description: 'The path read, relative to the workspace root.' },
  encoding: { type: 'string', enum: ['utf8', 'base64'] },
  content: { type: 'string' },
  size: { type: 'integer', description: 'File size in bytes.' },
  modified: isoTime,
  etag: etagSchema,
  truncated: { type: 'boolean', description: 'True when the byte limit cut the requested lines short.' },
  total_lines: { type: 'integer', description: 'Lines in the whole file (text only).' },
  start_line: { type: 'integer', description: '1-based number of the first line returned (text only).' },
  end_line: { type: 'integer', description: '1-based number of the last line returned (text only).' },
};

export function readFileOperation(tool: FsContext) {
  const max = tool.config.maxReadBytes;
  return defineOperation<ReadFileParams, ReadFileResult>({
    tool: TOOL,
    operation: 'read_file',
    mcpName: 'read_file',
    title: 'Read a file',
    description:
      `Read a workspace file: content, size, modified, total_lines and etag (if_match for write_file/edit_file). ` +
      `Over ${max} bytes, read a part: head/tail N lines or offset+limit; truncated: the byte limit cut it. Binary files need encoding "base64".`,
    inputSchema: {
      type: 'object',
      properties: {
        path: pathParam(),
        encoding: {
          type: 'string',
          enum: ['utf8', 'base64'],
          default: 'utf8',
        },
        offset: { type: 'integer', minimum: 0, description: 'Lines to skip.' },
        limit: { type: 'integer', minimum: 1, description: 'Lines after offset.' },
        head: { type: 'integer', minimum: 1, description: 'First N lines.' },
        tail: { type: 'integer', minimum: 1, description: 'Last N lines.' },
      },
      required: ['path'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: readFileOutputProperties,
      required: ['path', 'encoding', 'content', 'size', 'modified', 'etag', 'truncated'],
      additionalProperties: false,
    },
    annotations: READ_ONLY,
    scope: 'read',
    cache: { ttlMs: tool.config.cacheTtlMs, tags: () => readTags() },
    handler: (params, ctx) => readFileContent(tool, params, ctx),
  });
}

import { ToolError } from '../../../core/errors.js';
import type { ResourceReadResult } from '../../../core/resource.js';
import type { FsContext } from '../fsContext.js';
import { readAll } from '../writeSupport.js';
import { pathFromUri } from './fileUri.js';
import { BINARY_FALLBACK, mimeTypeOf, TEXT_FALLBACK } from './mimeTypes.js';

/** Like git and read_file: a NUL byte near the start means binary. */
const SNIFF_BYTES = 8000;

function asText(data: Buffer): string | undefined {
  if (data.subarray(0, SNIFF_BYTES).includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return undefined;
  }
}

function tooLarge(uri: string, size: number, max: number): ToolError {
  return new ToolError(
    'PAYLOAD_TOO_LARGE',
    `${uri} is ${size} bytes, over the ${max}-byte read limit (FS_MAX_READ_BYTES); read a part of it with the read_file tool (head, tail or offset/limit).`,
  );
}

/**
 * `resources/read` of a workspace file: the path from the URI, then exactly read_file's way in —
 * the same parse and resolve (confinement, links), the same non-blocking open (regular files
 * only, hard links refused) and the same size cap. UTF-8 text comes back as `text`, anything
 * else as a base64 `blob`.
 */
export async function readWorkspaceResource(tool: FsContext, uri: string): Promise<ResourceReadResult> {
  const rel = pathFromUri(uri);
  const max = tool.config.maxReadBytes;
  const resolved = await tool.ws.resolveExisting(rel, { followFinal: true });
  const { handle, stat } = await tool.ws.openFile(resolved);
  let data: Buffer;
  try {
    // Security: the size cap is checked on the open descriptor, and again while reading (the file may grow).
    if (stat.size > max) throw tooLarge(uri, stat.size, max);
    data = await readAll(handle, max, () => tooLarge(uri, max + 1, max));
  } finally {
    await handle.close().catch(() => {});
  }
  const known = mimeTypeOf(resolved.rel);
  const text = known?.binary ? undefined : asText(data);
  if (text !== undefined) return { contents: [{ uri, mimeType: known?.mimeType ?? TEXT_FALLBACK, text }] };
  return { contents: [{ uri, mimeType: known?.binary ? known.mimeType : BINARY_FALLBACK, blob: data.toString('base64') }] };
}

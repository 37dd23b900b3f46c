import { promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { ToolError } from '../../core/errors.js';
import { quote } from './display.js';
import { assertRegular } from './workspace.js';

/** lstat that answers null for "not there". Never follows a final link. */
export async function lstatOrNull(target: string): Promise<Stats | null> {
  try {
    return await fs.lstat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A write may create a file or replace a regular file; anything else is refused. */
export function assertWritableTarget(stat: Stats | null, display: string): void {
  if (!stat || stat.isFile()) return;
  if (stat.isSymbolicLink()) {
    // Security: writes never follow a final symlink, wherever it points.
    throw new ToolError(
      'FORBIDDEN',
      `${quote(display)} is a symbolic link; writes never follow links. Write to the file it points to, or delete the link first.`,
    );
  }
  assertRegular(stat, display);
}

/** Reads a whole open file, refusing it when it is (or grows) larger than `maxBytes`. */
export async function readAll(handle: FileHandle, maxBytes: number, tooLarge: () => ToolError): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - length));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, length);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    length += bytesRead;
    if (length > maxBytes) throw tooLarge();
  }
  return Buffer.concat(chunks, length);
}

/** Caller content → bytes, with the write size cap applied. */
export function decodeContent(content: string, encoding: 'utf8' | 'base64', maxBytes: number, display: string): Buffer {
  if (encoding === 'base64') {
    const compact = content.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
      throw new ToolError('INVALID_PARAMS', `The content for ${quote(display)} is not valid base64.`);
    }
    const data = Buffer.from(compact, 'base64');
    if (data.length > maxBytes) throw tooBig(display, data.length, maxBytes);
    return data;
  }
  const size = Buffer.byteLength(content, 'utf8');
  if (size > maxBytes) throw tooBig(display, size, maxBytes);
  return Buffer.from(content, 'utf8');
}

function tooBig(display: string, size: number, maxBytes: number): ToolError {
  return new ToolError(
    'PAYLOAD_TOO_LARGE',
    `The content for ${quote(display)} is ${size} bytes, over the ${maxBytes}-byte write limit. Split it into smaller files.`,
  );
}

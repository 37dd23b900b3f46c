import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { throwIfAborted } from './abort.js';

/** The etag is the lowercase hex SHA-256 of the file's bytes: equal content, equal etag. */
export function etagOf(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hashes an open file in chunks, so a large file costs time, not memory. */
export async function etagOfHandle(handle: FileHandle, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(64 * 1024);
  let position = 0;
  for (;;) {
    throwIfAborted(signal);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest('hex');
}

/** Accepts the etag as returned, or wrapped in double quotes out of HTTP habit. */
export function etagMatches(given: string, actual: string): boolean {
  const trimmed = given
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase();
  return trimmed === actual;
}

import type { Stats } from 'node:fs';
import { realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { openRegularFile } from '../../../infra/openRegular.js';

/**
 * Turns a workspace-relative path from an id or a workspace event into its canonical form
 * (`a/b.md`), or undefined when it is not one: absolute, containing `..`, NUL or empty segments
 * other than a leading `/`.
 */
export function normalizeRelPath(input: string): string | undefined {
  if (input.includes('\0')) return undefined;
  const segments = input
    .replace(/^\/+/, '')
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  // Security: no parent segments at all, so an id can never name a file outside the workspace.
  if (segments.some((s) => s === '..')) return undefined;
  return segments.join('/');
}

export function isInside(root: string, candidate: string): boolean {
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return candidate === root || candidate.startsWith(prefix);
}

export interface ConfinedFile {
  handle: FileHandle;
  stat: Stats;
}

/**
 * Opens a regular file inside the workspace for reading, or returns undefined when it does not
 * exist, is not a regular file (FIFO, socket, device), has other hard links (unless allowed), or
 * resolves outside the workspace.
 *
 * Security: the path is resolved with realpath and must stay under the workspace's real path, so
 * a symlink (or a symlinked folder) pointing outside is refused; the resolved path is then opened
 * through infra/openRegular: O_NOFOLLOW so a link swapped in after the check is not followed,
 * O_NONBLOCK so a FIFO cannot hold one of libuv's threads, and fstat on the descriptor decides.
 */
export async function openConfined(
  realRoot: string,
  rel: string,
  options: { allowHardLinks?: boolean } = {},
): Promise<ConfinedFile | undefined> {
  const lexical = path.join(realRoot, ...rel.split('/'));
  if (!isInside(realRoot, lexical)) return undefined;
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    return undefined;
  }
  if (!isInside(realRoot, real) || real === realRoot) return undefined;
  try {
    return await openRegularFile(real, options);
  } catch {
    return undefined;
  }
}

import { ToolError } from '../../core/errors.js';
import { quote } from './display.js';

/** A caller's path after purely lexical checks: segments below the workspace root. */
export interface UserPath {
  /** The text the caller sent; error messages show this, never the server's absolute root. */
  display: string;
  /** Workspace-relative segments, no `.`, `..` or empty parts; [] is the root itself. */
  segments: string[];
  /** `segments.join('/')`, '' for the root. */
  rel: string;
}

/**
 * Turns caller text into workspace-relative segments without touching the disk.
 *
 * Rules (documented in docs/tools/file_system.md):
 * - The workspace is the caller's `/`: `/notes/a.md`, `notes/a.md` and `./notes/a.md` are the same.
 * - `\` is a separator too (models trained on Windows paths send it).
 * - `..` is applied by name before any link is looked at; climbing above the root is refused.
 * - A leading `~` (home folder) is refused: nothing outside the workspace is reachable.
 * - Percent signs are literal: `%2e%2e` is a file name, never `..`. Nothing is URL-decoded.
 */
export function parseUserPath(input: string): UserPath {
  const display = input;
  // Security: a NUL byte would truncate the path inside the OS call; refuse it outright.
  if (input.includes('\0')) {
    throw new ToolError('INVALID_PARAMS', `The path ${quote(display)} contains a NUL byte, which no file name may contain.`);
  }
  // Security: backslashes become separators so `..\\..\\etc` is seen as the traversal it is.
  const parts = input.replace(/\\/g, '/').split('/');
  const first = parts.find((p) => p !== '' && p !== '.');
  // Security: `~` means a home folder outside the workspace; refuse instead of guessing.
  if (first?.startsWith('~') && parts[0] !== '.') {
    throw new ToolError(
      'FORBIDDEN',
      `The path ${quote(display)} refers to a home folder (~), which is outside the workspace. Use a path relative to the workspace root, e.g. "notes/todo.md".`,
    );
  }
  const segments: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      // Security: `..` above the root is refused, not clamped, so the caller learns the path was wrong.
      if (segments.length === 0) {
        throw new ToolError(
          'FORBIDDEN',
          `The path ${quote(display)} is outside the workspace. Paths are relative to the workspace root; use list_directory with path "/" to see what is there.`,
        );
      }
      segments.pop();
      continue;
    }
    segments.push(part);
  }
  return { display, segments, rel: segments.join('/') };
}

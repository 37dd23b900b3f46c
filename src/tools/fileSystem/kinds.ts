import type { Dirent, Stats } from 'node:fs';

/** Entry types as callers see them. */
export type EntryType = 'file' | 'directory' | 'symlink' | 'other';
export const ENTRY_TYPES: EntryType[] = ['file', 'directory', 'symlink', 'other'];

export function entryType(s: Stats | Dirent): EntryType {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'directory';
  return 'other';
}

/** Words for the special kinds, used in refusals. */
export function specialKind(s: Stats): string {
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isDirectory()) return 'a folder';
  if (s.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

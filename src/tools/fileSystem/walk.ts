import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import { isToolError } from '../../core/errors.js';
import { type Pacer, throwIfAborted } from '../../core/pacer.js';
import { compareNames } from './cursor.js';
import type { GlobList } from './globs.js';
import { entryType, type EntryType } from './kinds.js';
import type { Workspace } from './workspace.js';

export interface WalkEntry {
  /** Path relative to the folder the walk started in. */
  rel: string;
  type: EntryType;
  /** 1 for entries directly in the start folder. */
  depth: number;
}

export interface WalkOptions {
  /** Deepest level whose entries are yielded; folders at this level are not opened. */
  maxDepth: number;
  /** Entries matching are skipped, and excluded folders are not entered. */
  exclude: GlobList;
  /** Shared with the caller's own per-entry work, so the whole loop yields on one schedule. */
  pacer: Pacer;
  signal: AbortSignal;
  /** Called once per folder read (for progress reports). */
  onFolder?: () => void;
  /**
   * Resume after this entry (segments below the start folder, as a `rel` splits): only entries
   * that come later in walk order are yielded. Folders on the way are re-read, not re-yielded.
   */
  after?: string[];
}

async function typeOf(entry: Dirent, absDir: string): Promise<EntryType> {
  if (entry.isFile() || entry.isDirectory() || entry.isSymbolicLink()) return entryType(entry);
  if (entry.isFIFO() || entry.isSocket() || entry.isCharacterDevice() || entry.isBlockDevice()) return 'other';
  // Some file systems do not report types in readdir; ask lstat (never stat: no link following).
  return fs.lstat(path.join(absDir, entry.name)).then(entryType, () => 'other' as const);
}

/**
 * Depth-first walk in name order. Security: symbolic links are reported but never entered
 * (even ones pointing inside, which also rules out loops), and every folder is opened through
 * the workspace's verified-folder check.
 */
export async function* walk(ws: Workspace, startAbs: string, display: string, options: WalkOptions): AsyncGenerator<WalkEntry> {
  // `bound`: for a folder on the resume path, the rest of that path below it.
  async function* visit(absDir: string, relDir: string, depth: number, bound?: string[]): AsyncGenerator<WalkEntry> {
    throwIfAborted(options.signal);
    options.onFolder?.();
    let entries: Dirent[];
    try {
      entries = await ws.inDir(absDir, display, (dir) => fs.readdir(dir.path, { withFileTypes: true }));
    } catch (error) {
      // The start folder must be readable; a subfolder that vanished or is unreadable is skipped.
      if (depth === 1) throw error;
      if (isToolError(error) && (error.code === 'CANCELLED' || error.code === 'TIMEOUT')) throw error;
      return;
    }
    entries.sort((a, b) => compareNames(a.name, b.name));
    await options.pacer.tick();
    for (const entry of entries) {
      // Security: a folder can hold 100 000 names; yield between them (see core/pacer).
      await options.pacer.tick();
      // Walk order is name order folder by folder, so everything before the resume path is skipped
      // by name alone, and the entry on it was yielded by an earlier walk (its subtree comes after).
      let below: string[] | undefined;
      let seen = false;
      if (bound) {
        const order = compareNames(entry.name, bound[0]!);
        if (order < 0) continue;
        if (order === 0) {
          seen = true;
          below = bound.length > 1 ? bound.slice(1) : undefined;
        } else bound = undefined;
      }
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      if (!options.exclude.empty && (await options.exclude.test(rel, options.pacer))) continue;
      const type = await typeOf(entry, absDir);
      if (!seen) yield { rel, type, depth };
      if (type === 'directory' && depth < options.maxDepth) yield* visit(path.join(absDir, entry.name), rel, depth + 1, below);
    }
  }
  yield* visit(startAbs, '', 1, options.after && options.after.length > 0 ? options.after : undefined);
}

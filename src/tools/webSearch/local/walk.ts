import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { Pacer } from '../../../core/pacer.js';
import { isInside } from './confine.js';
import type { PathFilter } from './pathFilter.js';

/**
 * Yields the workspace-relative paths of files under `startRel` that the filter admits.
 *
 * Security: symlinked files are followed only when their target stays inside the workspace;
 * symlinked directories are never followed (no escapes, no cycles).
 */
export async function* walkWorkspace(realRoot: string, startRel: string, filter: PathFilter): AsyncGenerator<string> {
  const pending = [startRel];
  // Security: a folder may hold 100 000 names; yield between them so indexing never freezes the server.
  const pacer = new Pacer();
  while (pending.length > 0) {
    const dirRel = pending.pop()!;
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(realRoot, ...dirRel.split('/').filter(Boolean)), { withFileTypes: true });
    } catch {
      continue; // vanished or unreadable: the removal pass deals with what was indexed under it
    }
    for (const entry of entries) {
      await pacer.tick();
      const rel = dirRel ? `${dirRel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (filter.directory(rel)) pending.push(rel);
      } else if (entry.isFile()) {
        if (filter.file(rel)) yield rel;
      } else if (entry.isSymbolicLink() && filter.file(rel)) {
        if (await isFileInside(realRoot, path.join(realRoot, ...rel.split('/')))) yield rel;
      }
    }
  }
}

async function isFileInside(realRoot: string, link: string): Promise<boolean> {
  try {
    const target = await realpath(link);
    return isInside(realRoot, target) && (await stat(target)).isFile();
  } catch {
    return false;
  }
}

import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { ToolError } from '../../core/errors.js';
import { quote } from './display.js';
import { toFsToolError } from './fsErrors.js';
import { isInsideRoot } from './pathCheck.js';
import type { UserPath } from './userPath.js';

/** Where a caller's path lands on disk, with every symlink on the way checked. */
export interface ResolvedPath {
  display: string;
  /** The caller's path, normalised by name only (before links): what results echo back. */
  requested: string;
  /** Workspace-relative `/` path after following parent links; '' is the root. */
  rel: string;
  /** Absolute path: the real root joined with `rel` (no symlinks except maybe the final part). */
  abs: string;
  /** lstat of the final part, or null when it (or a parent, see `missing`) does not exist. */
  stat: Stats | null;
  /** Trailing segments that do not exist yet (the final name, and missing parents before it). */
  missing: string[];
}

export interface ResolveOptions {
  /** Reads follow a final symlink that stays inside; writes never do (they see the link itself). */
  followFinal: boolean;
}

/** Linux gives up after 40 links; so do we, which also ends link loops. */
const MAX_LINK_HOPS = 40;

interface Segment {
  name: string;
  /** True for segments that came from a link's target rather than from the caller. */
  viaLink: boolean;
}

function outside(display: string): ToolError {
  return new ToolError(
    'FORBIDDEN',
    `${quote(display)} leads outside the workspace through a symbolic link; the file_system tool never follows links out of the workspace.`,
  );
}

/**
 * Walks the path one part at a time from the real root, reading each symlink itself instead of
 * letting the OS follow it. A link's target is checked against the root *before* anything at
 * that target is touched, so links out of the root are refused whether or not their target
 * exists (no existence oracle for outside paths) and nothing outside is ever stat'ed.
 */
export async function resolveInRoot(root: string, user: UserPath, options: ResolveOptions): Promise<ResolvedPath> {
  const { display } = user;
  const done: string[] = [];
  const pending: Segment[] = user.segments.map((name) => ({ name, viaLink: false }));
  let stat: Stats | null = null;
  let hops = 0;

  while (pending.length > 0) {
    const seg = pending.shift()!;
    if (seg.name === '..') {
      // Only link targets contain `..` (caller text is normalised first). `done` holds real
      // folders, so popping it is exactly what the kernel would do.
      if (done.length === 0) throw outside(display);
      done.pop();
      stat = null;
      continue;
    }
    const candidate = path.join(root, ...done, seg.name);
    const isFinal = pending.length === 0;
    let st: Stats;
    try {
      st = await fs.lstat(candidate);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw toFsToolError(error, display);
      // Security: a missing part reached through a link is a broken link; we never create
      // anything at a link's target.
      if (seg.viaLink) {
        throw new ToolError('NOT_FOUND', `${quote(display)} is (or passes through) a broken symbolic link.`);
      }
      const missing = [seg.name, ...pending.map((s) => s.name)];
      const rel = [...done, ...missing];
      return { display, requested: user.rel, rel: rel.join('/'), abs: path.join(root, ...rel), stat: null, missing };
    }

    // Security: links are expanded here, by us, so each target is checked before it is used.
    if (st.isSymbolicLink() && (!isFinal || options.followFinal)) {
      if (++hops > MAX_LINK_HOPS) {
        throw new ToolError('INVALID_PARAMS', `${quote(display)} passes through too many symbolic links (a link loop?).`);
      }
      const target = await fs.readlink(candidate).catch((error) => {
        throw toFsToolError(error, display);
      });
      const targetParts = target.split('/').filter((p) => p !== '' && p !== '.');
      if (path.isAbsolute(target)) {
        // Security: an absolute target must lie under the real root both after normalisation and
        // segment by segment (its `..` parts are then walked like any others).
        const rootParts = root.split('/').filter(Boolean);
        const prefixMatches = rootParts.every((p, i) => targetParts[i] === p);
        if (!prefixMatches || !isInsideRoot(path.resolve(target), root)) throw outside(display);
        done.length = 0;
        pending.unshift(...targetParts.slice(rootParts.length).map((name) => ({ name, viaLink: true })));
      } else {
        pending.unshift(...targetParts.map((name) => ({ name, viaLink: true })));
      }
      stat = null;
      continue;
    }

    if (!isFinal && !st.isDirectory()) {
      throw new ToolError('INVALID_PARAMS', `A part of ${quote(display)} is a file where a folder was expected.`);
    }
    done.push(seg.name);
    stat = st;
  }

  const abs = path.join(root, ...done);
  // Security: by construction `abs` is under the root; check anyway with the one containment rule.
  if (!isInsideRoot(abs, root)) throw outside(display);
  if (stat === null) {
    stat = await fs.lstat(abs).catch((error) => {
      throw toFsToolError(error, display);
    });
  }
  return { display, requested: user.rel, rel: done.join('/'), abs, stat, missing: [] };
}

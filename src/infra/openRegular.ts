import { constants as C, promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Why a path was not opened: it is not a regular file, or it has other names (hard links). */
export type OpenRefusal = { reason: 'not_regular'; stat: Stats } | { reason: 'hard_link'; links: number };

export class OpenRefused extends Error {
  constructor(readonly refusal: OpenRefusal) {
    super(refusal.reason === 'hard_link' ? `the file has ${refusal.links} hard links` : 'not a regular file');
    this.name = 'OpenRefused';
  }
}

export interface OpenRegularOptions {
  /** Also open files with more than one name (see below). Default false. */
  allowHardLinks?: boolean;
}

// O_NOCTTY: a terminal device must never become our controlling terminal (0 where undefined).
const READ_FLAGS = C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK | (C.O_NOCTTY ?? 0);

/**
 * The one way the server opens a workspace file for reading (file_system reads, web_search fetch
 * and indexing, and whatever reads workspace files next). `target` is an already-confined path;
 * a final symlink is refused (ELOOP) rather than followed.
 *
 * Security:
 * - O_NONBLOCK: open() on a FIFO with no writer blocks, and it blocks a thread of libuv's small
 *   pool, so four such opens stall every file operation of the process. With O_NONBLOCK the open
 *   returns at once (a socket fails with ENXIO), and fstat on the descriptor — not an earlier
 *   lstat that a swap could outdate — decides: anything but a regular file is closed and refused.
 *   O_NONBLOCK does not change reads of regular files.
 * - nlink > 1: a hard link is a second name for the same file, and the other name may lie
 *   outside the workspace (`ln /etc/shadow workspace/x` by someone with local access, or an
 *   extracted archive). Path confinement cannot see that, so such files are refused unless the
 *   operator opts in (FS_ALLOW_HARD_LINKS): then they are read like any other file.
 */
export async function openRegularFile(target: string, options: OpenRegularOptions = {}): Promise<{ handle: FileHandle; stat: Stats }> {
  const handle = await fs.open(target, READ_FLAGS);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new OpenRefused({ reason: 'not_regular', stat });
    if (stat.nlink > 1 && !options.allowHardLinks) throw new OpenRefused({ reason: 'hard_link', links: stat.nlink });
    return { handle, stat };
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

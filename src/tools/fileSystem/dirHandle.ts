import { constants as C, promises as fs } from 'node:fs';
import { ToolError } from '../../core/errors.js';
import { quote } from './display.js';
import { isInsideRoot } from './pathCheck.js';

/**
 * An open, verified folder. Children are reached through `child(name)`, which on Linux goes
 * through `/proc/self/fd/<fd>/name`: the kernel resolves it relative to the folder we opened and
 * checked, so swapping a parent folder for a symlink after the check changes nothing (this is
 * openat() for Node, which has no openat).
 */
export interface DirHandle {
  /** A path naming the opened folder itself (for readdir). */
  readonly path: string;
  child(name: string): string;
  /** fsync the folder so a rename inside it survives a power cut. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

const DIR_FLAGS = C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW;

export async function openVerifiedDir(root: string, abs: string, display: string, useProcFd: boolean): Promise<DirHandle> {
  // Security: O_NOFOLLOW refuses a final symlink; the check below catches a swapped parent.
  const handle = await fs.open(abs, DIR_FLAGS);
  try {
    const real = useProcFd ? await fs.readlink(`/proc/self/fd/${handle.fd}`) : await fs.realpath(abs);
    // Security: verify where the descriptor really points, after opening, so a race between the
    // path walk and the open cannot land us outside the root.
    if (!isInsideRoot(real.replace(/ \(deleted\)$/, ''), root)) {
      throw new ToolError(
        'FORBIDDEN',
        `${quote(display)} leads outside the workspace; the file_system tool never follows links out of it.`,
      );
    }
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
  const base = useProcFd ? `/proc/self/fd/${handle.fd}` : abs;
  let closed = false;
  return {
    path: base,
    child: (name: string) => `${base}/${name}`,
    sync: async () => {
      await handle.sync();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

/** Whether `/proc/self/fd/<fd>` names an open folder's real path here (Linux with /proc mounted). */
export async function procFdWorks(root: string): Promise<boolean> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(root, DIR_FLAGS);
    return (await fs.readlink(`/proc/self/fd/${handle.fd}`)) === root;
  } catch {
    return false;
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Opens a folder, runs `fn` with it and always closes it. */
export async function withDir<T>(
  root: string,
  abs: string,
  display: string,
  useProcFd: boolean,
  fn: (dir: DirHandle) => Promise<T>,
): Promise<T> {
  const dir = await openVerifiedDir(root, abs, display, useProcFd);
  try {
    return await fn(dir);
  } finally {
    await dir.close().catch(() => {});
  }
}

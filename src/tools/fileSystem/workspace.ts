import { promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from '../../core/errors.js';
import { OpenRefused, openRegularFile } from '../../infra/openRegular.js';
import { quote } from './display.js';
import { openVerifiedDir, procFdWorks, withDir, type DirHandle } from './dirHandle.js';
import { toFsToolError, withFsErrors } from './fsErrors.js';
import { KeyedLock } from './keyedLock.js';
import { specialKind } from './kinds.js';
import { resolveInRoot, type ResolveOptions, type ResolvedPath } from './resolve.js';
import { parseUserPath } from './userPath.js';

/**
 * The workspace root and every way of reaching inside it. Operations go through these methods
 * only; none of them builds a path from caller text itself.
 */
export class Workspace {
  readonly lock = new KeyedLock();

  private constructor(
    /** Real (symlink-free) absolute path of the root, resolved once at start. */
    readonly root: string,
    private readonly useProcFd: boolean,
    /** The folder did not exist and `open` created it (so nobody's files are in it). */
    readonly createdNow: boolean,
    /** FS_ALLOW_HARD_LINKS: read files that have more than one name (see infra/openRegular). */
    private readonly allowHardLinks: boolean,
  ) {}

  /** Creates the folder if needed (mkdir -p) and pins its real path. */
  static async open(dir: string, options: { allowHardLinks?: boolean } = {}): Promise<Workspace> {
    // mkdir -p names the first folder it created, and nothing when the folder was already there.
    const created = await fs.mkdir(dir, { recursive: true });
    const root = await fs.realpath(dir);
    const stat = await fs.stat(root);
    if (!stat.isDirectory()) throw new Error(`WORKSPACE_DIR is not a folder: ${dir}`);
    return new Workspace(root, await procFdWorks(root), created !== undefined, options.allowHardLinks ?? false);
  }

  /** Parses and resolves caller text. */
  async resolve(userPath: string, options: ResolveOptions): Promise<ResolvedPath> {
    return resolveInRoot(this.root, parseUserPath(userPath), options);
  }

  /** Resolves a path that must exist. */
  async resolveExisting(userPath: string, options: ResolveOptions): Promise<ResolvedPath & { stat: Stats }> {
    const resolved = await this.resolve(userPath, options);
    if (!resolved.stat) throw toFsToolError(Object.assign(new Error('missing'), { code: 'ENOENT' }), userPath);
    return resolved as ResolvedPath & { stat: Stats };
  }

  /** Runs `fn` with the verified folder at `absDir`. */
  async inDir<T>(absDir: string, display: string, fn: (dir: DirHandle) => Promise<T>): Promise<T> {
    return withFsErrors(display, () => withDir(this.root, absDir, display, this.useProcFd, fn));
  }

  /** Runs `fn` with the verified parent folder of a resolved path and the final name. */
  async inParent<T>(resolved: ResolvedPath, fn: (dir: DirHandle, name: string) => Promise<T>): Promise<T> {
    if (resolved.rel === '') throw rootRefused(resolved.display);
    return this.inDir(path.dirname(resolved.abs), resolved.display, (dir) => fn(dir, path.basename(resolved.abs)));
  }

  /**
   * Creates the first `count` missing folders of `resolved`, one at a time, each inside the
   * verified previous one, and returns the deepest folder opened plus the folders created.
   */
  async makeDirs(resolved: ResolvedPath, count: number): Promise<{ dir: DirHandle; created: string[] }> {
    const existingParts = resolved.rel === '' ? [] : resolved.rel.split('/');
    const baseParts = existingParts.slice(0, existingParts.length - resolved.missing.length);
    const display = resolved.display;
    const created: string[] = [];
    let dir = await withFsErrors(display, () => openVerifiedDir(this.root, path.join(this.root, ...baseParts), display, this.useProcFd));
    try {
      const relParts = [...baseParts];
      for (const name of resolved.missing.slice(0, count)) {
        relParts.push(name);
        const made = await fs.mkdir(dir.child(name)).then(
          () => true,
          (error: NodeJS.ErrnoException) => {
            // Someone made it first: fine if it is a real folder, which the O_NOFOLLOW open checks.
            if (error.code === 'EEXIST') return false;
            throw toFsToolError(error, display);
          },
        );
        if (made) {
          created.push(relParts.join('/'));
          await dir.sync().catch(() => {});
        }
        const next = await withFsErrors(display, () => openVerifiedDir(this.root, dir.child(name), display, this.useProcFd));
        await dir.close().catch(() => {});
        dir = next;
      }
      return { dir, created };
    } catch (error) {
      await dir.close().catch(() => {});
      throw error;
    }
  }

  /**
   * Opens the folder a write lands in and names the entry inside it, creating missing parent
   * folders when asked (and only then).
   */
  async openParentFor(resolved: ResolvedPath, createParents: boolean): Promise<{ dir: DirHandle; name: string; created: string[] }> {
    if (resolved.rel === '') throw rootRefused(resolved.display);
    const name = path.basename(resolved.abs);
    if (resolved.missing.length <= 1) {
      const dir = await withFsErrors(resolved.display, () =>
        openVerifiedDir(this.root, path.dirname(resolved.abs), resolved.display, this.useProcFd),
      );
      return { dir, name, created: [] };
    }
    if (!createParents) {
      throw new ToolError(
        'NOT_FOUND',
        `The folder for ${quote(resolved.display)} does not exist. Pass "create_parents": true to create it, or check the path with list_directory.`,
      );
    }
    const { dir, created } = await this.makeDirs(resolved, resolved.missing.length - 1);
    return { dir, name, created };
  }

  /**
   * Opens a regular file for reading. The type is checked with lstat first (for the clearest
   * message); the open itself goes through infra/openRegular (O_NONBLOCK|O_NOFOLLOW, then fstat
   * on the descriptor has the last word, and hard-linked files are refused).
   */
  async openFile(resolved: ResolvedPath & { stat: Stats }): Promise<{ handle: FileHandle; stat: Stats }> {
    assertRegular(resolved.stat, resolved.display);
    return this.inParent(resolved, (dir, name) => this.openChild(dir, name, resolved.display));
  }

  /** Opens an existing entry of a verified folder for reading; it must be a regular file with one name. */
  async openChild(dir: DirHandle, name: string, display: string): Promise<{ handle: FileHandle; stat: Stats }> {
    try {
      return await openRegularFile(dir.child(name), { allowHardLinks: this.allowHardLinks });
    } catch (error) {
      if (!(error instanceof OpenRefused)) throw error;
      const { refusal } = error;
      if (refusal.reason === 'hard_link') throw hardLinkRefused(display, refusal.links);
      assertRegular(refusal.stat, display); // throws: the descriptor is not a regular file
      throw error;
    }
  }
}

// Security: see infra/openRegular for why hard-linked files are refused by default.
function hardLinkRefused(display: string, links: number): ToolError {
  return new ToolError(
    'FORBIDDEN',
    `${quote(display)} has ${links} hard links (names for the same file), and another one may lie outside the workspace, so it is not read. The operator can allow hard-linked files with FS_ALLOW_HARD_LINKS=true.`,
  );
}

export function assertRegular(stat: Stats, display: string): void {
  if (stat.isFile()) return;
  if (stat.isDirectory()) {
    throw new ToolError('INVALID_PARAMS', `${quote(display)} is a folder, not a file. Use list_directory to see what it contains.`);
  }
  throw new ToolError('INVALID_PARAMS', `${quote(display)} is ${specialKind(stat)}; only regular files can be read or changed.`);
}

export function rootRefused(display: string): ToolError {
  return new ToolError('INVALID_PARAMS', `${quote(display)} is the workspace root folder itself, which this operation cannot use.`);
}

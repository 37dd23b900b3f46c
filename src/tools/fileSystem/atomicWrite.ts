import { randomBytes } from 'node:crypto';
import { constants as C, promises as fs, type Stats } from 'node:fs';
import { throwIfAborted } from './abort.js';
import type { DirHandle } from './dirHandle.js';

/** The steps of a write, named so tests can inject a failure (a full disk, a crash) at each. */
export type WriteStep = 'write' | 'sync' | 'rename';

export interface WriteHooks {
  /** Called before each step; throwing simulates the OS failing there. */
  beforeStep?: (step: WriteStep, info: { bytesWritten: number }) => void | Promise<void>;
}

export interface AtomicWriteOptions {
  /** Permission bits to give the new file (those of the file it replaces). */
  mode?: number;
  signal: AbortSignal;
  hooks?: WriteHooks;
}

const CHUNK = 64 * 1024;
/** Temp files are hidden and recognisable: `.mcp-write-<random>.tmp`. */
export const TEMP_PREFIX = '.mcp-write-';

/**
 * Replaces `name` inside `dir` with `data` so that readers see either the old file or the new
 * one, never a mix, and a crash or full disk at any point leaves the old file whole:
 * write a temp file in the same folder → fsync it → rename over the target → fsync the folder.
 */
export async function atomicWrite(dir: DirHandle, name: string, data: Buffer, options: AtomicWriteOptions): Promise<Stats> {
  const { hooks, signal } = options;
  const tempPath = dir.child(`${TEMP_PREFIX}${randomBytes(8).toString('hex')}.tmp`);
  // Security: O_EXCL|O_NOFOLLOW — the temp name is fresh and never a link planted in advance.
  const handle = await fs.open(tempPath, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o666);
  let closed = false;
  let renamed = false;
  let stat: Stats;
  try {
    let written = 0;
    do {
      throwIfAborted(signal);
      await hooks?.beforeStep?.('write', { bytesWritten: written });
      const end = Math.min(written + CHUNK, data.length);
      const { bytesWritten } = await handle.write(data, written, end - written, written);
      written += bytesWritten;
    } while (written < data.length);
    if (options.mode !== undefined) await handle.chmod(options.mode);
    await hooks?.beforeStep?.('sync', { bytesWritten: written });
    await handle.sync();
    stat = await handle.stat();
    closed = true;
    await handle.close();
    // Last chance to give up: once renamed, the write has happened and must be reported.
    throwIfAborted(signal);
    await hooks?.beforeStep?.('rename', { bytesWritten: written });
    await fs.rename(tempPath, dir.child(name));
    renamed = true;
  } finally {
    if (!closed) await handle.close().catch(() => {});
    if (!renamed) await fs.unlink(tempPath).catch(() => {});
  }
  // Makes the rename itself durable. Some file systems cannot fsync a folder (EINVAL); the data
  // is already in place then, so this never turns a completed write into a reported failure.
  await dir.sync().catch(() => {});
  return stat!;
}

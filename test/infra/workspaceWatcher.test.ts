import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AsyncSubscription, SubscribeCallback } from '@parcel/watcher';
import { afterEach, describe, expect, it } from 'vitest';
import { isEditorNoise, MAX_BATCH_PATHS, WorkspaceWatcher } from '../../src/infra/workspaceWatcher.js';
import { TEMP_PREFIX } from '../../src/tools/fileSystem/atomicWrite.js';
import { captureLogger } from './helpers/captureLogger.js';

const FALLBACK = 'workspace watcher off: changes made outside the server are found by the periodic rescan only';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function tempWorkspace(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-watch-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A watcher whose batches land in `batches`. */
async function watch(workspaceDir: string, extra: { subscribe?: Parameters<typeof WorkspaceWatcher.start>[0]['subscribe'] } = {}) {
  const log = captureLogger();
  const batches: string[][] = [];
  const watcher = await WorkspaceWatcher.start({
    workspaceDir,
    logger: log.logger,
    debounceMs: 50,
    ownTempPrefixes: [TEMP_PREFIX],
    onChanges: async (paths) => {
      batches.push(paths);
    },
    ...extra,
  });
  cleanup.push(() => watcher.close());
  const seen = () => new Set(batches.flat());
  return { watcher, log, batches, seen };
}

describe('workspace watcher', () => {
  it('reports files created, changed and deleted by other programs, as workspace-relative paths', async () => {
    const dir = tempWorkspace();
    writeFileSync(path.join(dir, 'old.md'), 'old');
    const { watcher, seen } = await watch(dir);
    expect(watcher.watching).toBe(true);

    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub', 'new.md'), 'new');
    writeFileSync(path.join(dir, 'old.md'), 'changed');
    rmSync(path.join(dir, 'old.md'));
    await expect.poll(() => seen().has('old.md') && (seen().has('sub') || seen().has('sub/new.md')), { timeout: 20_000 }).toBe(true);

    // A folder made after the watch started is watched too.
    writeFileSync(path.join(dir, 'sub', 'later.md'), 'later');
    await expect.poll(() => seen().has('sub/later.md'), { timeout: 20_000 }).toBe(true);
  });

  it('leaves no unreaped child process behind (no zombie per watch started)', async () => {
    const zombies = () => {
      const found: string[] = [];
      for (const name of readdirSync('/proc')) {
        if (!/^\d+$/.test(name)) continue;
        try {
          const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
          const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          if (state === 'Z' && Number(parent) === process.pid) found.push(name);
        } catch {
          // exited meanwhile
        }
      }
      return found;
    };
    if (process.platform !== 'linux') return;
    const before = zombies();
    for (let i = 0; i < 3; i++) expect((await watch(tempWorkspace())).watcher.watching).toBe(true);
    expect(zombies()).toEqual(before);
  });

  it('never reports editor swap files or its own atomic-write temp files, and skips node_modules and .git', async () => {
    const dir = tempWorkspace();
    mkdirSync(path.join(dir, 'node_modules', 'pkg'), { recursive: true });
    mkdirSync(path.join(dir, '.git'));
    const { seen } = await watch(dir);
    const noise = ['.notes.md.swp', '.notes.md.swx', '4913', 'notes.md~', '.#notes.md', '#notes.md#', `${TEMP_PREFIX}0123abcd.tmp`];
    for (const name of noise) writeFileSync(path.join(dir, name), 'x');
    writeFileSync(path.join(dir, 'node_modules', 'pkg', 'index.js'), 'x');
    writeFileSync(path.join(dir, '.git', 'index'), 'x');
    // Written last: once it is reported, everything before it has been seen (inotify keeps order).
    writeFileSync(path.join(dir, 'marker.md'), 'x');
    await expect.poll(() => seen().has('marker.md'), { timeout: 20_000 }).toBe(true);
    expect([...seen()].sort()).toEqual(['marker.md']);
  });

  it('recognises the usual editor noise and nothing else', () => {
    for (const name of ['.a.md.swp', '.a.swo', '.a.swpx', '4913', 'a.md~', '.#a.md', '#a.md#', 'a.md___jb_tmp___', '.goutputstream-ABC']) {
      expect(isEditorNoise(name), name).toBe(true);
    }
    for (const name of ['a.md', 'swp', 'notes.swift', '49130', 'a#b', 'README', '.env']) {
      expect(isEditorNoise(name), name).toBe(false);
    }
  });

  it('reports a burst larger than one batch may be as a change of the whole workspace', async () => {
    const dir = tempWorkspace();
    let callback: SubscribeCallback | undefined;
    const fake = async (_dir: string, fn: SubscribeCallback): Promise<AsyncSubscription> => {
      callback = fn;
      return { unsubscribe: async () => undefined };
    };
    const { batches } = await watch(dir, { subscribe: fake });
    // One delivery (as after a `git checkout`): the events are not split by timing.
    callback!(
      null,
      Array.from({ length: MAX_BATCH_PATHS + 10 }, (_, i) => ({ path: path.join(dir, `f${i}.txt`), type: 'create' as const })),
    );
    await expect.poll(() => batches.length, { timeout: 20_000 }).toBe(1);
    expect(batches).toEqual([['']]);
  });

  it('falls back with one warning, not a crash, when the inotify limit is reached at startup', async () => {
    const dir = tempWorkspace();
    const failing = async (): Promise<AsyncSubscription> => {
      throw Object.assign(new Error(`inotify_add_watch on '${dir}/deep' failed: No space left on device`), { code: 'ENOSPC' });
    };
    const { watcher, log } = await watch(dir, { subscribe: failing });
    expect(watcher.watching).toBe(false);
    expect(log.count(FALLBACK)).toBe(1);
    await watcher.close();
    expect(log.count(FALLBACK)).toBe(1);
  });

  it('falls back with one warning when the watch fails later (a new folder over the limit), and stops watching', async () => {
    const dir = tempWorkspace();
    let callback: SubscribeCallback | undefined;
    let unsubscribed = 0;
    const fake = async (_dir: string, fn: SubscribeCallback): Promise<AsyncSubscription> => {
      callback = fn;
      return {
        unsubscribe: async () => {
          unsubscribed++;
        },
      };
    };
    const { watcher, log, batches } = await watch(dir, { subscribe: fake });
    expect(watcher.watching).toBe(true);
    const error = new Error('Too many open files');
    callback!(error, []);
    callback!(error, []);
    callback!(null, [{ path: path.join(dir, 'a.md'), type: 'create' }]);
    expect(watcher.watching).toBe(false);
    expect(log.count(FALLBACK)).toBe(1);
    await expect.poll(() => unsubscribed).toBe(1);
    await watcher.idle();
    expect(batches).toEqual([]);
  });

  it("drops the echo of a change already applied (the server's own write), but not a later change by another program", async () => {
    const dir = tempWorkspace();
    let callback: SubscribeCallback | undefined;
    const fake = async (_dir: string, fn: SubscribeCallback): Promise<AsyncSubscription> => {
      callback = fn;
      return { unsubscribe: async () => undefined };
    };
    const { watcher, seen } = await watch(dir, { subscribe: fake });
    const event = (rel: string) => ({ path: path.join(dir, rel), type: 'update' as const });

    // The server writes a.md and deletes gone.md, and notes both before applying them.
    writeFileSync(path.join(dir, 'a.md'), 'by the server');
    await watcher.noteApplied(['a.md', 'gone.md']);
    // Their echoes arrive, together with a change nobody noted.
    callback!(null, [event('a.md'), event('gone.md'), event('b.md')]);
    await expect.poll(() => seen().has('b.md'), { timeout: 20_000 }).toBe(true);
    await watcher.idle();
    expect(seen().has('a.md')).toBe(false);
    expect(seen().has('gone.md')).toBe(false);

    // Another program then rewrites a.md (same size) and creates gone.md: both are reported.
    writeFileSync(path.join(dir, 'a.md'), 'by the editor');
    writeFileSync(path.join(dir, 'gone.md'), 'back');
    callback!(null, [event('a.md'), event('gone.md')]);
    await expect.poll(() => seen().has('a.md') && seen().has('gone.md'), { timeout: 20_000 }).toBe(true);
  });

  it('falls back with one warning when the workspace folder does not exist', async () => {
    const { watcher, log } = await watch(path.join(os.tmpdir(), 'mcp-watch-missing-', String(process.pid), 'nowhere'));
    expect(watcher.watching).toBe(false);
    expect(log.count(FALLBACK)).toBe(1);
  });
});

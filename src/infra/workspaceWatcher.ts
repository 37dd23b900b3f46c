import { createRequire } from 'node:module';
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { AsyncSubscription, Event, Options, SubscribeCallback } from '@parcel/watcher';
import type { Logger } from 'winston';

/**
 * Watches the workspace for changes made outside the server and reports them in coalesced batches.
 *
 * Why @parcel/watcher: it watches directories, not files (one inotify watch per folder, so a
 * workspace of 100 000 files in 2 000 folders costs 2 000 watches), crawls and coalesces natively,
 * skips ignored folders entirely (no watch at all under node_modules or .git), and ships N-API
 * prebuilt binaries, so one build works on Node 20 and Node 24 (it is VS Code's watcher).
 * chokidar 4 puts an fs.watch on every single file (and stats them all at startup), which meets
 * inotify's per-user limit on trees this server must handle; Node's own recursive fs.watch on
 * Linux is a JavaScript emulation whose behaviour (missed events in new folders, errors on
 * removal) has changed between Node 20, 22 and 24.
 *
 * Bounded: when the watcher cannot be set up, or fails later (inotify limits: ENOSPC for
 * fs.inotify.max_user_watches, EMFILE for max_user_instances; the native module missing for this
 * platform; the folder missing), it logs one warning and stops; the periodic rescan and the cache
 * TTLs remain the safety net. It never throws into the server.
 */

/**
 * The native backend, named: left to choose, @parcel/watcher first probes for watchman through
 * `popen("watchman …")` and never reaps that shell, so every subscribe left a zombie child (exit
 * 127 where watchman is not installed) in the server process. Naming the OS backend skips the probe.
 */
const BACKEND: Options['backend'] =
  process.platform === 'linux'
    ? 'inotify'
    : process.platform === 'darwin'
      ? 'fs-events'
      : process.platform === 'win32'
        ? 'windows'
        : undefined;

/** Folders never watched: churn nobody reads through this server's search, and trees too large to be worth it. */
const IGNORED_DIRS = ['**/node_modules', '**/.git'];
/** More changed paths than this in one batch are reported as one change of the whole workspace (''). */
export const MAX_BATCH_PATHS = 256;
/** Paths whose applied state is remembered (for recognising echoes); the oldest are forgotten first. */
const MAX_NOTED = 10_000;

/**
 * Editors' swap, backup and lock files, and the like: written and removed around every save, never
 * content anyone searches. Vim: `.name.swp`/`.swo`/… (and `.swx`/`.swpx` probes), its `4913` probe file, `name~`
 * backups; Emacs: `.#name` locks and `#name#` autosaves; JetBrains: `___jb_tmp___`/`___jb_old___`;
 * GNOME: `.goutputstream-*`.
 */
export function isEditorNoise(name: string): boolean {
  return (
    name === '4913' ||
    name.endsWith('~') ||
    name.startsWith('.#') ||
    (name.startsWith('#') && name.endsWith('#')) ||
    /\.(sw[a-px]|swpx)$/.test(name) ||
    name.endsWith('___jb_tmp___') ||
    name.endsWith('___jb_old___') ||
    name.startsWith('.goutputstream-')
  );
}

type Subscribe = (dir: string, fn: SubscribeCallback, opts?: Options) => Promise<AsyncSubscription>;

export interface WorkspaceWatcherOptions {
  workspaceDir: string;
  logger: Logger;
  /** Events within this many ms after the first one of a batch are reported together. */
  debounceMs: number;
  /** File-name prefixes of the server's own temp files (atomic writes), never reported. */
  ownTempPrefixes: readonly string[];
  /**
   * Receives workspace-relative paths (`/`-separated) that changed: created, written, deleted or
   * renamed; `''` means "anything may have changed". Batches never overlap.
   */
  onChanges: (paths: string[]) => Promise<void>;
  /** Replaces @parcel/watcher's subscribe (tests simulate limits with it). */
  subscribe?: Subscribe;
}

export class WorkspaceWatcher {
  private subscription?: AsyncSubscription;
  private readonly pending = new Set<string>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;
  private realRoot = '';
  /** Path → the state (signature) it had when a change to it was last applied. */
  private readonly noted = new Map<string, string>();

  private constructor(private readonly options: WorkspaceWatcherOptions) {}

  /** Starts watching; resolves once the watch is set up or has been given up (see `watching`). */
  static async start(options: WorkspaceWatcherOptions): Promise<WorkspaceWatcher> {
    const watcher = new WorkspaceWatcher(options);
    await watcher.open();
    return watcher;
  }

  /** True while changes are being watched; false after a fallback or close. */
  get watching(): boolean {
    return this.subscription !== undefined && !this.stopped;
  }

  /** Resolves once every batch reported so far has been handled (tests, shutdown). */
  async idle(): Promise<void> {
    await this.flushing;
  }

  /**
   * Records the state of paths whose change is about to be applied (a file_system write, or a
   * batch of this watcher's). The watcher's later event for the same state (the echo of the
   * server's own write) is then dropped instead of causing a second index refresh and eviction.
   * Recorded before the change is applied, never after: a change by another program landing in
   * between then differs from the record and is reported.
   */
  async noteApplied(paths: readonly string[]): Promise<void> {
    if (!this.watching) return;
    for (const rel of paths) {
      if (rel === '') continue;
      const signature = await this.signature(rel);
      this.noted.delete(rel);
      this.noted.set(rel, signature);
      if (this.noted.size > MAX_NOTED) this.noted.delete(this.noted.keys().next().value!);
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    await this.unsubscribe();
    await this.flushing;
  }

  private async open(): Promise<void> {
    try {
      this.realRoot = await realpath(this.options.workspaceDir);
      const subscribe = this.options.subscribe ?? loadSubscribe();
      this.subscription = await subscribe(this.realRoot, (error, events) => this.onEvents(error, events), {
        ignore: IGNORED_DIRS,
        ...(BACKEND ? { backend: BACKEND } : {}),
      });
      if (this.stopped) await this.unsubscribe();
      else this.options.logger.info('workspace watcher started', { debounceMs: this.options.debounceMs });
    } catch (error) {
      this.fallBack(error);
    }
  }

  private onEvents(error: Error | null, events: Event[]): void {
    if (this.stopped) return;
    if (error) {
      this.fallBack(error);
      return;
    }
    for (const event of events) {
      const rel = this.relative(event.path);
      if (rel !== undefined) this.pending.add(rel);
    }
    if (this.pending.size > 0 && !this.timer) {
      // Not reset by later events: a file rewritten non-stop is still reported every debounceMs.
      this.timer = setTimeout(() => this.flush(), this.options.debounceMs);
      this.timer.unref();
    }
  }

  /** The workspace-relative path of an event worth reporting, or undefined. */
  private relative(absolute: string): string | undefined {
    const rel = path.relative(this.realRoot, absolute);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    const name = path.basename(absolute);
    if (rel !== '' && (isEditorNoise(name) || this.options.ownTempPrefixes.some((prefix) => name.startsWith(prefix)))) return undefined;
    return rel.split(path.sep).join('/');
  }

  private flush(): void {
    this.timer = undefined;
    const collapsed = collapse([...this.pending]);
    this.pending.clear();
    if (collapsed.length === 0) return;
    this.flushing = this.flushing.then(async () => {
      if (this.stopped) return;
      try {
        const batch = await this.withoutEchoes(collapsed);
        if (batch.length > 0) await this.options.onChanges(batch);
      } catch (error) {
        this.options.logger.warn('workspace change not applied', { error: error instanceof Error ? error.message : String(error) });
      }
    });
  }

  /** The paths whose state differs from the one recorded when their last change was applied. */
  private async withoutEchoes(batch: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const rel of batch) {
      const noted = rel === '' ? undefined : this.noted.get(rel);
      if (noted === undefined || noted !== (await this.signature(rel))) out.push(rel);
    }
    return out;
  }

  /**
   * What a path is now: type, inode, size and nanosecond mtime and ctime (ctime cannot be set by
   * anyone, so a rewrite always differs), or `absent`.
   */
  private async signature(rel: string): Promise<string> {
    try {
      const st = await lstat(path.join(this.realRoot, ...rel.split('/')), { bigint: true });
      const type = st.isFile() ? 'f' : st.isDirectory() ? 'd' : 'o';
      return `${type}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    } catch {
      return 'absent';
    }
  }

  private fallBack(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    const message = error instanceof Error ? error.message : String(error);
    const limit = /ENOSPC|EMFILE|no space left|too many open files/i.test(message);
    this.options.logger.warn('workspace watcher off: changes made outside the server are found by the periodic rescan only', {
      reason: limit
        ? `${message} (the inotify limits are too low for this tree: raise fs.inotify.max_user_watches / max_user_instances, or set WATCH_WORKSPACE=false)`
        : message,
    });
    void this.unsubscribe();
  }

  private async unsubscribe(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.unsubscribe().catch(() => undefined);
  }
}

/**
 * The paths of a batch without those inside another reported path (refreshing a folder covers
 * everything in it), or [''] when there are too many to refresh one by one.
 */
function collapse(paths: string[]): string[] {
  if (paths.includes('')) return [''];
  const sorted = paths.sort();
  const out: string[] = [];
  for (const rel of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && rel.startsWith(`${last}/`)) continue;
    out.push(rel);
  }
  return out.length > MAX_BATCH_PATHS ? [''] : out;
}

function loadSubscribe(): Subscribe {
  // Loaded on first use: a native module for this platform may be missing, which must only turn the watcher off.
  return (createRequire(import.meta.url)('@parcel/watcher') as { subscribe: Subscribe }).subscribe;
}

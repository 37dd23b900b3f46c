import type { Logger } from 'winston';
import type { LogEntry, WorkspaceChangeLog } from '../../../infra/workspaceChangeLog.js';
import type { WorkspaceChange } from '../../../infra/workspaceEvents.js';
import type { LocalIndex } from './localIndex.js';

/** More pending entries than this are not replayed one by one: an incremental rescan is cheaper. */
const REPLAY_LIMIT = 1000;

/**
 * Keeps this replica's index in step with the writes other replicas made to the shared workspace,
 * through the change log in Redis (infra/workspaceChangeLog.ts).
 *
 * - `publish`: every change this replica makes (or sees) goes into the log before the writing
 *   call returns.
 * - `catchUp`: before a search answers, the entries this replica has not applied yet are applied
 *   to its index. A write that returned on another replica is therefore in this replica's index
 *   before the search runs, with no timing involved.
 *
 * During a Redis outage nothing can be shared: searches answer from this replica's own index (the
 * result cache is bypassed then anyway), and a replica that could not log its writes appends an
 * `all` entry once Redis answers again, which makes every other replica rescan.
 */
export class ReplicaSync {
  /** Last log sequence applied to this replica's index; undefined until Redis first answered. */
  private applied?: number;
  /** Changes that could not be logged; non-zero means an `all` entry is owed. */
  private unshared = 0;
  private running?: Promise<void>;
  private queued?: Promise<void>;
  private paying?: Promise<void>;
  private readonly stopListening: () => void;

  constructor(
    private readonly log: WorkspaceChangeLog,
    private readonly index: LocalIndex,
    private readonly logger: Logger,
  ) {
    // What could not be logged during the outage is owed as soon as Redis answers, not only at the next write.
    this.stopListening = log.onReconnect(() => void this.payDebt());
  }

  close(): void {
    this.stopListening();
  }

  /** Takes the current head as the starting point; call before the index's first scan starts. */
  async init(): Promise<void> {
    this.applied = await this.log.head();
  }

  /** Logs a change this replica made, before the write returns. Never throws. */
  async publish(change: WorkspaceChange): Promise<void> {
    await this.payDebt();
    if (!(await this.log.append(change))) this.unshared++;
  }

  /**
   * Applies every entry logged before this call. Concurrent callers share a round, but a caller
   * never joins a round that began before it did (that round may have read the log before the
   * write this caller must see), so it waits for the next one.
   */
  catchUp(): Promise<void> {
    if (!this.running) {
      this.running = this.round().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.catchUp();
      });
    return this.queued;
  }

  private async round(): Promise<void> {
    await this.payDebt();
    if (this.applied === undefined) {
      // Redis was out of reach at startup: start from the head, with a scan that begins after it.
      const head = await this.log.head();
      if (head === undefined) return;
      this.applied = head;
      await this.index.rescan();
      return;
    }
    const from = this.applied;
    const next = await this.log.since(from, REPLAY_LIMIT);
    if (!next) return; // Redis out of reach: answer from this replica's own index.
    if (next.kind === 'gap') {
      this.logger.info('search index: change log incomplete, rescanning', { from, head: next.head });
      await this.index.rescan();
    } else {
      await this.apply(next.entries);
    }
    this.applied = next.head;
  }

  private async apply(entries: LogEntry[]): Promise<void> {
    const foreign = entries.filter((e) => e.origin !== this.log.origin);
    if (foreign.some((e) => e.change.kind === 'all')) {
      await this.index.rescan();
      return;
    }
    // The same path written ten times is refreshed once: applyChange reads the file as it is now.
    const seen = new Set<string>();
    for (const { change } of foreign) {
      if (change.kind === 'all') continue;
      const key = JSON.stringify(change);
      if (seen.has(key)) continue;
      seen.add(key);
      await this.index.applyChange(change);
    }
  }

  /** Appends the owed `all` entry; concurrent callers share one append. */
  private payDebt(): Promise<void> {
    if (this.unshared === 0) return Promise.resolve();
    this.paying ??= (async () => {
      const owed = this.unshared;
      // Only the failures that happened before this entry was sent are paid by it.
      if (await this.log.append({ kind: 'all' })) this.unshared = Math.max(0, this.unshared - owed);
    })().finally(() => {
      this.paying = undefined;
    });
    return this.paying;
  }
}

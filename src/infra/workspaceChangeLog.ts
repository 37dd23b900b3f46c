import { randomUUID } from 'node:crypto';
import type { Logger } from 'winston';
import type { RedisHandle } from './redis.js';
import type { WorkspaceChange } from './workspaceEvents.js';

/**
 * What the log carries: a change, or `all` ("something changed that was not logged: rescan"),
 * written by a replica that could not log its writes during a Redis outage.
 */
export type LoggedChange = WorkspaceChange | { kind: 'all' };

export interface LogEntry {
  seq: number;
  /** The replica that wrote it (its own entries are already applied there). */
  origin: string;
  change: LoggedChange;
}

/** What a replica must do to catch up from the sequence it has applied so far. */
export type CatchUp =
  /** Apply these entries (possibly none), then the replica is at `head`. */
  | { kind: 'entries'; head: number; entries: LogEntry[] }
  /** Entries are missing (trimmed, expired, Redis restarted or flushed): rescan everything, then it is at `head`. */
  | { kind: 'gap'; head: number };

/** Entries kept; a replica further behind than this rescans instead. */
export const LOG_MAX_ENTRIES = 10_000;
/** The log outlives any replica's absence that is worth catching up entry by entry. */
const LOG_TTL_MS = 24 * 3_600_000;

// A missing sequence (new, expired or flushed Redis) starts from the clock in microseconds, so it
// never repeats a value handed out before: a replica's remembered position cannot match by accident.
const START_SEQUENCE = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end`;

// Appends one entry under the next sequence number; sequence and log move together, atomically,
// so the log's sequence numbers are contiguous and a hole means lost entries.
const APPEND = `${START_SEQUENCE}
redis.call('INCR', KEYS[1])
-- Read back as a string: Lua's own number-to-string conversion rounds to 14 digits.
local s = redis.call('GET', KEYS[1])
redis.call('ZADD', KEYS[2], s, s .. ' ' .. ARGV[2])
local n = redis.call('ZCARD', KEYS[2])
if n > tonumber(ARGV[3]) then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, n - tonumber(ARGV[3]) - 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return s`;

// The head, the oldest entry kept, and up to ARGV[3] entries after ARGV[2].
const READ = `${START_SEQUENCE}
local head = redis.call('GET', KEYS[1])
local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local entries = {}
if tonumber(head) > tonumber(ARGV[2]) then
  entries = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[2], '+inf', 'LIMIT', 0, ARGV[3])
end
return {head, oldest[2] or false, entries}`;

/**
 * A shared, ordered log of the changes replicas made to the workspace they share, in Redis.
 *
 * Why a log and not pub/sub or the cache generations alone: each replica keeps its own search
 * index, and a generation only says "something changed", not what. A write appends its paths
 * before it returns; a replica about to answer a search reads what it has not applied yet (one
 * round trip) and applies it first. That is read-your-writes across replicas without timing: no
 * message can still be in flight when the write's reply has been sent.
 */
export class WorkspaceChangeLog {
  /** This process's id in the log. */
  readonly origin = randomUUID();

  constructor(
    private readonly redis: RedisHandle,
    private readonly logger: Logger,
  ) {}

  /** Appends a change; false when Redis could not take it (the caller owes an `all` entry). */
  async append(change: LoggedChange): Promise<boolean> {
    if (!(await this.redis.ready())) return false;
    const body = JSON.stringify({ o: this.origin, c: change });
    try {
      await this.redis.bounded(this.redis.client.eval(APPEND, 2, ...this.keys(), sequenceStart(), body, LOG_MAX_ENTRIES, LOG_TTL_MS));
      return true;
    } catch (error) {
      this.logger.debug('workspace change not logged', { error: error instanceof Error ? error.message : String(error) });
      return false;
    }
  }

  /** Called whenever the Redis connection becomes ready again. Returns an unsubscribe function. */
  onReconnect(listener: () => void): () => void {
    return this.redis.onReady(listener);
  }

  /** The current head (the position a replica starts from before its first scan); undefined when Redis is out of reach. */
  async head(): Promise<number | undefined> {
    const answer = await this.read(Number.MAX_SAFE_INTEGER, 0);
    return answer?.head;
  }

  /**
   * What to apply to get from `applied` to the head: at most `limit` entries, or a gap when entries
   * are missing or more than `limit` are pending. Undefined when Redis is out of reach.
   */
  async since(applied: number, limit: number): Promise<CatchUp | undefined> {
    const answer = await this.read(applied, limit + 1);
    if (!answer) return undefined;
    const { head, oldest, entries } = answer;
    if (head === applied) return { kind: 'entries', head, entries: [] };
    // Behind the position: the sequence restarted (flush, restart), so nothing proves what changed.
    if (head < applied) return { kind: 'gap', head };
    if (oldest === undefined || oldest > applied + 1 || entries.length !== head - applied || entries.length > limit) {
      return { kind: 'gap', head };
    }
    return { kind: 'entries', head, entries };
  }

  private async read(applied: number, limit: number): Promise<{ head: number; oldest?: number; entries: LogEntry[] } | undefined> {
    if (!(await this.redis.ready())) return undefined;
    let answer: [string, string | null, string[]];
    try {
      answer = (await this.redis.bounded(this.redis.client.eval(READ, 2, ...this.keys(), sequenceStart(), String(applied), limit))) as [
        string,
        string | null,
        string[],
      ];
    } catch (error) {
      this.logger.debug('workspace change log not read', { error: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
    const entries: LogEntry[] = [];
    for (const member of answer[2]) {
      const entry = parseEntry(member);
      // An entry this version cannot read counts as missing, so the caller rescans.
      if (entry) entries.push(entry);
    }
    return { head: Number(answer[0]), oldest: answer[1] === null || answer[1] === undefined ? undefined : Number(answer[1]), entries };
  }

  private keys(): [string, string] {
    return [`${this.redis.prefix}{workspace}:changes:seq`, `${this.redis.prefix}{workspace}:changes:log`];
  }
}

function parseEntry(member: string): LogEntry | undefined {
  const space = member.indexOf(' ');
  if (space < 0) return undefined;
  try {
    const body = JSON.parse(member.slice(space + 1)) as { o?: unknown; c?: { kind?: unknown } };
    if (typeof body.o !== 'string' || typeof body.c?.kind !== 'string') return undefined;
    return { seq: Number(member.slice(0, space)), origin: body.o, change: body.c as LoggedChange };
  } catch {
    return undefined;
  }
}

function sequenceStart(): string {
  return String(Date.now() * 1000);
}

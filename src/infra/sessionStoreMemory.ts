import { ToolError } from '../core/errors.js';
import {
  tooManyKeysMessage,
  type SessionLimits,
  type SessionRef,
  type SessionSnapshot,
  type SessionStore,
  type SessionTimes,
  type SetOutcome,
} from './sessionStore.js';

interface Session {
  owner: string;
  createdAt: number;
  updatedAt: number;
  // Security: a Map, so keys such as "__proto__" or "constructor" are data, never prototype lookups.
  state: Map<string, string>;
}

/**
 * Sessions in this process only (no REDIS_URL). Bounded: expired sessions are dropped, and past
 * `maxSessions` the least recently written one goes.
 */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly limits: SessionLimits & { maxSessions: number },
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(limits.ttlMs, 60_000));
    this.sweeper.unref();
  }

  async get(ref: SessionRef, keys?: string[]): Promise<SessionSnapshot | undefined> {
    const session = this.live(ref);
    if (!session) return undefined;
    const wanted = keys ? [...new Set(keys)].filter((k) => session.state.has(k)) : [...session.state.keys()];
    return {
      ...this.times(session),
      entries: wanted.sort().map((k) => [k, session.state.get(k)!]),
      keyCount: session.state.size,
    };
  }

  async set(ref: SessionRef, key: string, json: string): Promise<SetOutcome> {
    const now = this.now();
    let session = this.live(ref);
    const created = !session;
    if (session && !session.state.has(key) && session.state.size >= this.limits.maxKeys) {
      throw new ToolError('PAYLOAD_TOO_LARGE', tooManyKeysMessage(this.limits.maxKeys));
    }
    if (!session) session = { owner: ref.owner, createdAt: now, updatedAt: now, state: new Map() };
    session.state.set(key, json);
    session.updatedAt = now;
    this.touch(ref, session);
    return { created, keyCount: session.state.size, ...this.times(session) };
  }

  async delete(ref: SessionRef, key: string): Promise<{ deleted: boolean; keyCount: number; times: SessionTimes } | undefined> {
    const session = this.live(ref);
    if (!session) return undefined;
    const deleted = session.state.delete(key);
    if (deleted) {
      session.updatedAt = this.now();
      this.touch(ref, session);
    }
    return { deleted, keyCount: session.state.size, times: this.times(session) };
  }

  async end(ref: SessionRef): Promise<boolean> {
    const existed = this.live(ref) !== undefined;
    this.sessions.delete(keyOf(ref));
    return existed;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.sessions.clear();
  }

  private live(ref: SessionRef): Session | undefined {
    const session = this.sessions.get(keyOf(ref));
    if (!session) return undefined;
    if (session.updatedAt + this.limits.ttlMs <= this.now()) {
      this.sessions.delete(keyOf(ref));
      return undefined;
    }
    // Security: defence in depth; the key already includes the owner.
    return session.owner === ref.owner ? session : undefined;
  }

  /** Re-inserts so Map order is least recently written first, then enforces the bound. */
  private touch(ref: SessionRef, session: Session): void {
    const key = keyOf(ref);
    this.sessions.delete(key);
    this.sessions.set(key, session);
    while (this.sessions.size > this.limits.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
  }

  private times(session: Session): SessionTimes {
    return { createdAt: session.createdAt, updatedAt: session.updatedAt, expiresAt: session.updatedAt + this.limits.ttlMs };
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, session] of this.sessions) {
      if (session.updatedAt + this.limits.ttlMs <= now) this.sessions.delete(key);
    }
  }
}

function keyOf(ref: SessionRef): string {
  // JSON keeps the two parts apart whatever characters they contain.
  return JSON.stringify([ref.owner, ref.id]);
}

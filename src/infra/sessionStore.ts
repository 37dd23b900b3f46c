/**
 * Per-caller session state (the design's SessionManager): created/updated times and a small
 * key-value scratchpad. A session is addressed by (owner, id): the owner is the authenticated
 * caller, so the same id presented by another caller names a different, empty session.
 */
export interface SessionRef {
  /** The caller id that owns the session. */
  owner: string;
  /** The id the caller chose (or the derived default). */
  id: string;
}

export interface SessionTimes {
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
}

export interface SessionSnapshot extends SessionTimes {
  /** Keys with their JSON-encoded values, sorted by key. Keys are plain strings, `__proto__` included. */
  entries: [string, string][];
  keyCount: number;
}

export interface SetOutcome extends SessionTimes {
  created: boolean;
  keyCount: number;
}

export interface SessionLimits {
  ttlMs: number;
  maxKeys: number;
}

export interface SessionStore {
  /** The session, or undefined when this owner has no session by that id. `keys` narrows the entries. */
  get(ref: SessionRef, keys?: string[]): Promise<SessionSnapshot | undefined>;
  /** Creates the session on first write; refreshes its TTL. Throws PAYLOAD_TOO_LARGE past maxKeys. */
  set(ref: SessionRef, key: string, json: string): Promise<SetOutcome>;
  /** Undefined when the session does not exist (nothing is created). */
  delete(ref: SessionRef, key: string): Promise<{ deleted: boolean; keyCount: number; times: SessionTimes } | undefined>;
  /** True when a session was removed. */
  end(ref: SessionRef): Promise<boolean>;
  close(): Promise<void>;
}

export function tooManyKeysMessage(maxKeys: number): string {
  return `The session already holds ${maxKeys} keys, the maximum. Delete keys you no longer need with delete_state, or overwrite an existing key.`;
}

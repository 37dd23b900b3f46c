import { createHash } from 'node:crypto';
import { ToolError } from '../core/errors.js';
import type { RedisHandle } from './redis.js';
import {
  tooManyKeysMessage,
  type SessionLimits,
  type SessionRef,
  type SessionSnapshot,
  type SessionStore,
  type SessionTimes,
  type SetOutcome,
} from './sessionStore.js';

// Each operation is one script, so the owner check, the key bound and the TTL refresh are atomic
// even when two replicas write the same session at once. A session is two hashes: `meta` (owner,
// created, updated) and `state` (key → JSON value), expiring together.
const GET = `
local meta = redis.call('HMGET', KEYS[1], 'owner', 'created', 'updated')
if not meta[1] or meta[1] ~= ARGV[1] then return false end
local entries = {}
if #ARGV > 1 then
  local wanted = {}
  for i = 2, #ARGV do wanted[#wanted + 1] = ARGV[i] end
  local values = redis.call('HMGET', KEYS[2], unpack(wanted))
  for i = 1, #wanted do
    if values[i] then entries[#entries + 1] = wanted[i]; entries[#entries + 1] = values[i] end
  end
else
  entries = redis.call('HGETALL', KEYS[2])
end
return {meta[2], meta[3], redis.call('HLEN', KEYS[2]), redis.call('PTTL', KEYS[1]), entries}`;

const SET = `
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= ARGV[1] then return {'foreign'} end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0 and redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[6]) then return {'full'} end
local created = 0
if not owner then redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'created', ARGV[4]); created = 1 end
redis.call('HSET', KEYS[1], 'updated', ARGV[4])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return {'ok', created, redis.call('HGET', KEYS[1], 'created'), redis.call('HLEN', KEYS[2])}`;

const DELETE = `
local owner = redis.call('HGET', KEYS[1], 'owner')
if not owner or owner ~= ARGV[1] then return false end
local deleted = redis.call('HDEL', KEYS[2], ARGV[2])
if deleted == 1 then
  redis.call('HSET', KEYS[1], 'updated', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
end
local meta = redis.call('HMGET', KEYS[1], 'created', 'updated')
return {deleted, redis.call('HLEN', KEYS[2]), meta[1], meta[2], redis.call('PTTL', KEYS[1])}`;

const END = `
local owner = redis.call('HGET', KEYS[1], 'owner')
if not owner or owner ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1`;

const UNAVAILABLE_MESSAGE =
  'Session storage (Redis) is not reachable right now, so session state can neither be read nor changed. Retry in a few seconds; other tools keep working.';

/**
 * Sessions in Redis, shared by every replica. There is deliberately no in-memory fallback: state
 * written to one replica's memory during an outage would be invisible to the others and lost
 * when Redis returns, so callers get a clear UNAVAILABLE error instead.
 */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisHandle,
    private readonly limits: SessionLimits,
    private readonly releaseRedis = false,
    private readonly now: () => number = Date.now,
  ) {}

  async get(ref: SessionRef, keys?: string[]): Promise<SessionSnapshot | undefined> {
    const args = keys ? [ref.owner, ...new Set(keys)] : [ref.owner];
    const reply = (await this.run(GET, ref, args)) as [string, string, number, number, string[]] | null;
    if (!reply) return undefined;
    const [created, updated, keyCount, pttl, flat] = reply;
    const entries: [string, string][] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push([flat[i]!, flat[i + 1]!]);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { ...this.times(created, updated, pttl), entries, keyCount: Number(keyCount) };
  }

  async set(ref: SessionRef, key: string, json: string): Promise<SetOutcome> {
    const now = this.now();
    const reply = (await this.run(SET, ref, [
      ref.owner,
      key,
      json,
      String(now),
      String(this.limits.ttlMs),
      String(this.limits.maxKeys),
    ])) as [string, number?, string?, number?];
    if (reply[0] === 'full') throw new ToolError('PAYLOAD_TOO_LARGE', tooManyKeysMessage(this.limits.maxKeys));
    // The key includes the owner, so another owner's record here would mean a hash collision.
    if (reply[0] !== 'ok') throw new Error(`session script answered ${String(reply[0])}`);
    return {
      created: reply[1] === 1,
      keyCount: Number(reply[3]),
      createdAt: Number(reply[2]),
      updatedAt: now,
      expiresAt: now + this.limits.ttlMs,
    };
  }

  async delete(ref: SessionRef, key: string): Promise<{ deleted: boolean; keyCount: number; times: SessionTimes } | undefined> {
    const reply = (await this.run(DELETE, ref, [ref.owner, key, String(this.now()), String(this.limits.ttlMs)])) as
      | [number, number, string, string, number]
      | null;
    if (!reply) return undefined;
    const [deleted, keyCount, created, updated, pttl] = reply;
    return { deleted: deleted === 1, keyCount: Number(keyCount), times: this.times(created, updated, pttl) };
  }

  async end(ref: SessionRef): Promise<boolean> {
    return (await this.run(END, ref, [ref.owner])) === 1;
  }

  async close(): Promise<void> {
    if (this.releaseRedis) await this.redis.release();
  }

  private async run(script: string, ref: SessionRef, args: string[]): Promise<unknown> {
    if (!(await this.redis.ready())) throw new ToolError('UNAVAILABLE', UNAVAILABLE_MESSAGE);
    const [meta, state] = this.keys(ref);
    try {
      return await this.redis.bounded(this.redis.client.eval(script, 2, meta, state, ...args));
    } catch {
      throw new ToolError('UNAVAILABLE', UNAVAILABLE_MESSAGE);
    }
  }

  private keys(ref: SessionRef): [string, string] {
    // Security: the owner is part of the address, so one caller can never reach (or probe for) a
    // session of another, whatever id it presents. Hashing also keeps any id safe as a key.
    const digest = createHash('sha256')
      .update(JSON.stringify([ref.owner, ref.id]))
      .digest('hex');
    const base = `${this.redis.prefix}{session:${digest}}`;
    return [`${base}:meta`, `${base}:state`];
  }

  private times(created: string, updated: string, pttl: number): SessionTimes {
    const now = this.now();
    return {
      createdAt: Number(created),
      updatedAt: Number(updated),
      expiresAt: pttl > 0 ? now + Number(pttl) : Number(updated) + this.limits.ttlMs,
    };
  }
}

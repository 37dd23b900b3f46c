import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_KEY, READER_KEY } from '../helpers/server.js';
import { MCP_HEADERS, call, mcpToolCall, post, type Answer } from '../infra/helpers/http.js';
import { privateRedis, type PrivateRedis } from '../infra/helpers/privateRedis.js';
import { NOTES_ENTRY, SERVER_ENTRY, startReplica, type Replica } from '../infra/helpers/replicas.js';
import { REDIS_URL, describeWithRedis, describeWithRedisServer, dropPrefix, uniquePrefix } from '../infra/helpers/services.js';

const OTHER_KEY = 'other-writer-key-0123456789';
const KEYS = `admin:${ADMIN_KEY}:read+write,reader:${READER_KEY}:read,other:${OTHER_KEY}:read+write`;
/** Every request must be answered within this, outage or not. */
const ANSWER_WITHIN_MS = 5000;

function tempRoot(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'mcp-scale-out-'));
}

/** Env for one replica: its own DATA_DIR, the workspace and Redis shared with its peers. */
function replicaEnv(root: string, name: string, extra: Record<string, string>): Record<string, string> {
  const dataDir = path.join(root, `data-${name}`);
  const workspaceDir = path.join(root, 'workspace');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(workspaceDir, { recursive: true });
  return { MCP_API_KEYS: KEYS, DATA_DIR: dataDir, WORKSPACE_DIR: workspaceDir, ...extra };
}

/**
 * Two replicas, each with a DATA_DIR of its own: pairs started side by side must not share one
 * either (two processes opening one SQLite file at the same moment may see SQLITE_BUSY).
 */
async function startPair(root: string, extra: Record<string, string>, entry = SERVER_ENTRY, label = 'pair'): Promise<[Replica, Replica]> {
  return Promise.all([
    startReplica('A', replicaEnv(root, `${label}-a`, extra), entry),
    startReplica('B', replicaEnv(root, `${label}-b`, extra), entry),
  ]);
}

describeWithRedis('two replicas sharing Redis', () => {
  const prefix = uniquePrefix('replicas');
  const root = tempRoot();
  let limited: [Replica, Replica];
  let pair: [Replica, Replica];

  beforeAll(async () => {
    [limited, pair] = await Promise.all([
      startPair(root, { REDIS_URL, REDIS_PREFIX: `${prefix}limited:`, RATE_LIMIT_MAX: '6' }, SERVER_ENTRY, 'limited'),
      startPair(root, { REDIS_URL, REDIS_PREFIX: prefix, RATE_LIMIT_MAX: '100000', SESSION_MAX_KEYS: '1000' }, NOTES_ENTRY),
    ]);
  }, 120_000);
  afterAll(async () => {
    for (const replica of [...(limited ?? []), ...(pair ?? [])]) await replica.kill('SIGTERM');
    await dropPrefix(REDIS_URL, prefix);
    rmSync(root, { recursive: true, force: true });
  });

  it('enforces one rate limit across both replicas', async () => {
    const [a, b] = limited;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post((i % 2 ? b : a).mcpUrl, call('discovery', 'list_tools'))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const overA = await post(a.mcpUrl, call('discovery', 'list_tools'));
    const overB = await post(b.mcpUrl, mcpToolCall('list_tools', {}), { headers: MCP_HEADERS });
    expect(overA.status).toBe(429);
    expect(overA.body.content.code).toBe('RATE_LIMITED');
    expect(overB.status).toBe(429);
    expect(overB.body.error.code).toBe(-32005);
  });

  it('reads session state through one replica that was written through the other, for its owner only', async () => {
    const [a, b] = pair;
    const written = await post(
      a.mcpUrl,
      call('session', 'set_state', { key: 'plan', value: ['step 1', 'step 2'] }, { session_id: 'shared-session' }),
    );
    expect(written.status).toBe(200);
    const read = await post(b.mcpUrl, mcpToolCall('session_get_state', { session_id: 'shared-session' }), { headers: MCP_HEADERS });
    expect(read.body.result.structuredContent.entries).toEqual([{ key: 'plan', value: ['step 1', 'step 2'] }]);
    // Security: another credential naming the same session through the other replica sees nothing.
    const foreign = await post(b.mcpUrl, call('session', 'get_state', {}, { session_id: 'shared-session' }), { key: OTHER_KEY });
    expect(foreign.body.content).toMatchObject({ exists: false, entries: [] });
  });

  it('never follows a write through one replica with a stale cached read through the other', async () => {
    const [a, b] = pair;
    let cachedReads = 0;
    const read = async (replica: Replica) => {
      const answer = await post(replica.mcpUrl, call('note', 'read', { name: 'shared' }));
      expect(answer.status).toBe(200);
      if (answer.body.metadata._cached) cachedReads++;
      return answer.body.content.text as string;
    };
    await post(a.mcpUrl, call('note', 'write', { name: 'shared', text: 'v0' }));
    for (let i = 1; i <= 25; i++) {
      const [writer, reader] = i % 2 ? [a, b] : [b, a];
      // Warm both caches with the current value, so a missed invalidation would show.
      await read(reader);
      await read(writer);
      await read(reader);
      expect((await post(writer.mcpUrl, call('note', 'write', { name: 'shared', text: `v${i}` }))).status).toBe(200);
      expect(await read(reader)).toBe(`v${i}`);
      expect(await read(writer)).toBe(`v${i}`);
    }
    // The check only means something if the replicas were really serving from their caches.
    expect(cachedReads).toBeGreaterThan(20);
  });

  it('loses no acknowledged write when one replica is killed mid-load, and the other keeps serving', async () => {
    const [a, b] = pair;
    const acknowledged: string[] = [];
    const servedByB: number[] = [];
    let unansweredByA = 0;
    let sent = 0;
    let killed: Promise<void> | undefined;
    const writer = async (lane: number) => {
      for (let i = 0; i < 40; i++) {
        const key = `k-${lane}-${i}`;
        const target = (lane + i) % 2 ? a : b;
        sent++;
        if (sent === 60) killed = a.kill('SIGKILL');
        try {
          const answer = await post(target.mcpUrl, call('session', 'set_state', { key, value: i }, { session_id: 'durable' }), {
            timeoutMs: ANSWER_WITHIN_MS,
          });
          if (target === b) servedByB.push(answer.status);
          if (answer.status === 200) acknowledged.push(key);
        } catch (error) {
          // Only the killed replica may fail to answer; B must answer everything.
          expect(target).toBe(a);
          unansweredByA++;
          expect(String(error)).not.toMatch(/TimeoutError|aborted due to timeout/);
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(writer));
    await killed;
    expect(servedByB.every((status) => status === 200)).toBe(true);
    expect(servedByB.length).toBe(80);
    // A really died mid-load: it acknowledged writes before, and could not answer after.
    expect(acknowledged.length).toBeGreaterThan(60);
    expect(unansweredByA).toBeGreaterThan(0);

    const state = await post(b.mcpUrl, call('session', 'get_state', {}, { session_id: 'durable' }));
    const stored = new Set((state.body.content.entries as { key: string }[]).map((e) => e.key));
    expect(acknowledged.filter((key) => !stored.has(key))).toEqual([]);
  });
});

describeWithRedisServer('two replicas while Redis stops and restarts under load', () => {
  const prefix = uniquePrefix('outage');
  const root = tempRoot();
  let redis: PrivateRedis;
  let pair: [Replica, Replica];

  beforeAll(async () => {
    redis = await privateRedis();
    pair = await startPair(
      root,
      { REDIS_URL: redis.url, REDIS_PREFIX: prefix, REDIS_TIMEOUT_MS: '300', RATE_LIMIT_MAX: '100000' },
      NOTES_ENTRY,
    );
  }, 120_000);
  afterAll(async () => {
    for (const replica of pair ?? []) await replica.kill('SIGTERM');
    await redis?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers every request, never with a 500 and never slowly, and recovers shared state when Redis returns', async () => {
    const [a, b] = pair;
    const answers: (Answer & { what: string })[] = [];
    const failures: string[] = [];
    let rounds = 0;
    let running = true;
    const requests = (replica: Replica, round: number) =>
      [
        ['note.read', call('note', 'read', { name: 'load' })],
        ['note.write', call('note', 'write', { name: 'load', text: `r${round}` })],
        ['session.set', call('session', 'set_state', { key: `r${round}`, value: round }, { session_id: 'load' })],
        ['session.get', call('session', 'get_state', { keys: [`r${round}`] }, { session_id: 'load' })],
        ['list_tools', mcpToolCall('list_tools', {}, round)],
      ].map(async ([what, body]) => {
        try {
          const answer = await post(replica.mcpUrl, body, { timeoutMs: ANSWER_WITHIN_MS, headers: MCP_HEADERS });
          answers.push({ ...answer, what: `${replica.name} ${what as string}` });
        } catch (error) {
          failures.push(`${replica.name} ${what as string}: ${String(error)}`);
        }
      });
    const load = (async () => {
      while (running) {
        rounds++;
        await Promise.all([...requests(a, rounds), ...requests(b, rounds)]);
      }
    })();
    const roundsPass = async (n: number) => {
      const target = rounds + n;
      while (rounds < target) await new Promise((resolve) => setTimeout(resolve, 10));
    };

    await roundsPass(5);
    await redis.stop();
    await Promise.all([a.waitForLog('redis down'), b.waitForLog('redis down')]);
    await roundsPass(10);
    const duringOutage = answers.length;
    await redis.start();
    await Promise.all([a.waitForLog('redis back'), b.waitForLog('redis back')]);
    await roundsPass(5);
    running = false;
    await load;

    expect(failures).toEqual([]);
    expect(answers.filter((x) => x.status >= 500 && x.status !== 503)).toEqual([]);
    expect(Math.max(...answers.map((x) => x.ms))).toBeLessThan(ANSWER_WITHIN_MS);
    // Only the session tool, which has no safe stand-in for Redis, may say UNAVAILABLE.
    const unavailable = answers.filter((x) => x.status === 503);
    expect(unavailable.every((x) => /session/.test(x.what) && x.body.content.code === 'UNAVAILABLE')).toBe(true);
    expect(unavailable.length).toBeGreaterThan(0);
    expect(answers.filter((x) => /note|list_tools/.test(x.what)).every((x) => x.status === 200)).toBe(true);
    expect(duringOutage).toBeGreaterThan(0);
    for (const replica of [a, b]) {
      expect(replica.count('redis down')).toBe(1);
      expect(replica.count('redis back')).toBe(1);
    }

    // Shared state works again through both replicas.
    const written = await post(a.mcpUrl, call('session', 'set_state', { key: 'after', value: true }, { session_id: 'recovered' }));
    expect(written.status).toBe(200);
    const read = await post(b.mcpUrl, call('session', 'get_state', {}, { session_id: 'recovered' }));
    expect(read.body.content.entries).toEqual([{ key: 'after', value: true }]);
  });

  it('answers within the bound while Redis hangs without closing connections', async () => {
    const [a, b] = pair;
    redis.pause();
    try {
      for (const replica of [a, b]) {
        const note = await post(replica.mcpUrl, call('note', 'read', { name: 'load' }), { timeoutMs: ANSWER_WITHIN_MS });
        expect(note.status).toBe(200);
        const session = await post(replica.mcpUrl, call('session', 'get_state', {}, { session_id: 'load' }), {
          timeoutMs: ANSWER_WITHIN_MS,
        });
        expect(session.status).toBe(503);
        expect(session.body.content.code).toBe('UNAVAILABLE');
      }
    } finally {
      redis.resume();
    }
    const after = await post(a.mcpUrl, call('session', 'get_state', {}, { session_id: 'recovered' }));
    expect(after.body.content.entries).toEqual([{ key: 'after', value: true }]);
  });
});

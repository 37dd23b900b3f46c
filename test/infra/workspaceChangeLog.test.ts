import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSilentLogger } from '../../src/infra/logger.js';
import { acquireRedis, type RedisHandle } from '../../src/infra/redis.js';
import { LOG_MAX_ENTRIES, WorkspaceChangeLog } from '../../src/infra/workspaceChangeLog.js';
import { LocalIndex } from '../../src/tools/webSearch/local/localIndex.js';
import { ReplicaSync } from '../../src/tools/webSearch/local/replicaSync.js';
import { REDIS_URL, describeWithRedis, dropPrefix, uniquePrefix } from './helpers/services.js';
import { tcpProxy, type TcpProxy } from './helpers/tcpProxy.js';

const logger = createSilentLogger();

function handle(url: string, prefix: string, timeoutMs = 1000): RedisHandle {
  return acquireRedis({ redisUrl: new URL(url), redisPrefix: prefix, redisTimeoutMs: timeoutMs }, logger);
}

/** A workspace folder and an index over it, as one replica has. */
function replicaIndex(workspace: string): LocalIndex {
  return LocalIndex.open({ workspaceDir: workspace, dbPath: ':memory:', logger });
}

const paths = (index: LocalIndex, query: string) =>
  index
    .search(query, 10)
    .map((h) => h.path)
    .sort();

describeWithRedis('workspace change log', () => {
  const prefix = uniquePrefix('changelog');
  let redis: RedisHandle;
  beforeAll(() => {
    redis = handle(REDIS_URL, prefix);
  });
  afterAll(async () => {
    await dropPrefix(REDIS_URL, prefix);
    await redis.release();
  });

  it('hands a replica exactly the entries after its position, in order, with their origin', async () => {
    const one = new WorkspaceChangeLog(redis, logger);
    const two = new WorkspaceChangeLog(redis, logger);
    const start = (await two.head())!;
    expect(await one.append({ kind: 'write', path: 'a.md' })).toBe(true);
    expect(await one.append({ kind: 'move', from: 'a.md', to: 'b.md' })).toBe(true);
    const next = await two.since(start, 100);
    expect(next).toEqual({
      kind: 'entries',
      head: start + 2,
      entries: [
        { seq: start + 1, origin: one.origin, change: { kind: 'write', path: 'a.md' } },
        { seq: start + 2, origin: one.origin, change: { kind: 'move', from: 'a.md', to: 'b.md' } },
      ],
    });
    expect(await two.since(start + 2, 100)).toEqual({ kind: 'entries', head: start + 2, entries: [] });
  });

  it('reports a gap instead of a partial replay: too many pending, trimmed, or a flushed log', async () => {
    const log = new WorkspaceChangeLog(redis, logger);
    const start = (await log.head())!;
    for (let i = 0; i < 5; i++) await log.append({ kind: 'write', path: `f${i}` });
    expect(await log.since(start, 4)).toEqual({ kind: 'gap', head: start + 5 });
    expect((await log.since(start, 5))?.kind).toBe('entries');

    // Entries trimmed away (the log keeps LOG_MAX_ENTRIES; here the first of these is removed by hand).
    await redis.client.zremrangebyscore(`${prefix}{workspace}:changes:log`, start + 1, start + 1);
    const afterTrim = await log.since(start, 100);
    expect(afterTrim?.kind).toBe('gap');
    expect((await log.since(start + 1, 100))?.kind).toBe('entries');

    // FLUSHDB or a Redis restart: both keys gone; the sequence restarts above every old value.
    await redis.client.del(`${prefix}{workspace}:changes:log`, `${prefix}{workspace}:changes:seq`);
    const flushed = await log.since(start + 5, 100);
    expect(flushed?.kind).toBe('gap');
    expect(flushed!.head).toBeGreaterThan(start + 5);
    expect(LOG_MAX_ENTRIES).toBeGreaterThan(1000);
  });

  it("brings another replica's index up to date before it answers, and leaves its own changes alone", async () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), 'mcp-changelog-'));
    const indexA = replicaIndex(workspace);
    const indexB = replicaIndex(workspace);
    const syncA = new ReplicaSync(new WorkspaceChangeLog(redis, logger), indexA, logger);
    const syncB = new ReplicaSync(new WorkspaceChangeLog(redis, logger), indexB, logger);
    try {
      await Promise.all([syncA.init(), syncB.init()]);
      await Promise.all([indexA.scan(), indexB.scan()]);
      // A "write through A": the file changes, A's index learns at once and A publishes it.
      mkdirSync(path.join(workspace, 'docs'));
      writeFileSync(path.join(workspace, 'docs/bilby.md'), 'The bilby digs at night.\n');
      await indexA.applyChange({ kind: 'write', path: 'docs/bilby.md' });
      await syncA.publish({ kind: 'write', path: 'docs/bilby.md' });
      expect(paths(indexB, 'bilby')).toEqual([]);
      await syncB.catchUp();
      expect(paths(indexB, 'bilby')).toEqual(['docs/bilby.md']);

      rmSync(path.join(workspace, 'docs'), { recursive: true });
      await indexA.applyChange({ kind: 'delete', path: 'docs', recursive: true });
      await syncA.publish({ kind: 'delete', path: 'docs', recursive: true });
      // Concurrent searches share a round; every one of them sees the delete.
      await Promise.all([syncB.catchUp(), syncB.catchUp(), syncB.catchUp()]);
      expect(paths(indexB, 'bilby')).toEqual([]);
    } finally {
      await Promise.all([indexA.close(), indexB.close()]);
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});

describeWithRedis('workspace change log while one replica is cut off from Redis', () => {
  const prefix = uniquePrefix('changelog-cut');
  afterAll(async () => {
    await dropPrefix(REDIS_URL, prefix);
  });

  it('makes the other replicas rescan for writes that could not be logged, once the writer reaches Redis again', async () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), 'mcp-changelog-cut-'));
    const relay: TcpProxy = await tcpProxy(Number(new URL(REDIS_URL).port || 6379));
    const redisA = handle(`redis://127.0.0.1:${relay.port}`, prefix, 300);
    const redisB = handle(REDIS_URL, prefix, 300);
    const indexA = replicaIndex(workspace);
    const indexB = replicaIndex(workspace);
    const syncA = new ReplicaSync(new WorkspaceChangeLog(redisA, logger), indexA, logger);
    const syncB = new ReplicaSync(new WorkspaceChangeLog(redisB, logger), indexB, logger);
    try {
      await Promise.all([syncA.init(), syncB.init()]);
      await Promise.all([indexA.scan(), indexB.scan()]);

      await relay.cut();
      writeFileSync(path.join(workspace, 'numbat.md'), 'A numbat eats termites.\n');
      await indexA.applyChange({ kind: 'write', path: 'numbat.md' });
      await syncA.publish({ kind: 'write', path: 'numbat.md' }); // cannot be logged: A is cut off
      // B reaches Redis, and the log is intact: nothing in it tells B about the numbat.
      await syncB.catchUp();
      expect(paths(indexB, 'numbat')).toEqual([]);

      await relay.restore();
      // On reconnecting, A appends an `all` entry for what it could not log; B then rescans.
      await expect
        .poll(
          async () => {
            await syncB.catchUp();
            return paths(indexB, 'numbat');
          },
          { timeout: 20_000, interval: 100 },
        )
        .toEqual(['numbat.md']);
    } finally {
      await Promise.all([indexA.close(), indexB.close()]);
      await Promise.all([redisA.release(), redisB.release()]);
      await relay.close();
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});

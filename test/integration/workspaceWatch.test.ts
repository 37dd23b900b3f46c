import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, envelope, postJson, startServer, type TestServer } from '../helpers/server.js';
import { call, post } from '../infra/helpers/http.js';
import { startReplica, type Replica } from '../infra/helpers/replicas.js';
import { REDIS_URL, describeWithRedis, dropPrefix, uniquePrefix } from '../infra/helpers/services.js';

/**
 * Issue 16, "A live workspace": a change made outside the server is searchable, and no cached
 * read_file/search/fetch result outlives it, within 2 s. The rescan is off and every cache lives
 * for 10 minutes here, so nothing but the watcher can make these pass; each poll gives up only far
 * beyond the bound (the machine may be heavily loaded), and the measured times are printed.
 */
const STALE_FOREVER = {
  SEARCH_RESCAN_INTERVAL_MS: '0',
  FS_CACHE_TTL_MS: '600000',
  SEARCH_CACHE_TTL_MS: '600000',
  FETCH_CACHE_TTL_MS: '600000',
};
/** Far beyond the documented 2 s: only a change that is never picked up fails. */
const GIVE_UP_MS = 20_000;
const measured: { what: string; ms: number }[] = [];

/** Waits until `check` holds and records how long that took after the change. */
async function visibleWithin(what: string, check: () => Promise<boolean>): Promise<void> {
  const started = performance.now();
  await expect.poll(check, { timeout: GIVE_UP_MS, interval: 50 }).toBe(true);
  measured.push({ what, ms: Math.round(performance.now() - started) });
}

afterAll(() => {
  if (measured.length === 0) return;
  const worst = Math.max(...measured.map((m) => m.ms));
  console.log(
    `external changes became visible after ${measured.map((m) => `${m.what} ${m.ms} ms`).join(', ')}; worst ${worst} ms (documented bound: 2000 ms)`,
  );
});

describe('a change made outside the server (one process)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: STALE_FOREVER });
  });
  afterAll(async () => {
    await server?.close();
  });

  const op = async (tool: string, operation: string, parameters: Record<string, unknown>) => {
    const answer = await postJson(server.mcpUrl, envelope(tool, operation, parameters));
    return { status: answer.status, content: answer.body.content, cached: answer.body.metadata?._cached === true };
  };
  const readFile = (file: string) => op('file_system', 'read_file', { path: file });
  const search = async (query: string) => {
    const answer = await op('web_search', 'search', { query });
    expect(answer.status).toBe(200);
    return { ...answer, ids: (answer.content.results as { id: string }[]).map((r) => r.id).sort() };
  };
  const file = (rel: string) => path.join(server.workspaceDir, ...rel.split('/'));

  it('is searchable and readable, and evicts cached reads and searches, for creates, edits, deletes and renames', async () => {
    writeFileSync(file('animals.md'), '# Animals\nA kangaroo hops.\n');
    await visibleWithin('create', async () => (await search('kangaroo')).ids.includes('file:animals.md'));

    // The reads are really cached from here on, so only an eviction can make them fresh.
    // (The search that saw the file first may have overlapped the eviction, so it was not cached.)
    expect((await readFile('animals.md')).content.content).toContain('kangaroo');
    expect((await search('kangaroo')).ids).toEqual(['file:animals.md']);
    expect((await op('web_search', 'fetch', { id: 'file:animals.md' })).content.text).toContain('kangaroo');
    expect((await readFile('animals.md')).cached).toBe(true);
    expect((await search('kangaroo')).cached).toBe(true);
    expect((await op('web_search', 'fetch', { id: 'file:animals.md' })).cached).toBe(true);

    writeFileSync(file('animals.md'), '# Animals\nA wallaby naps.\n');
    await visibleWithin('edit', async () => {
      const [read, found, gone, fetched] = await Promise.all([
        readFile('animals.md'),
        search('wallaby'),
        search('kangaroo'),
        op('web_search', 'fetch', { id: 'file:animals.md' }),
      ]);
      return (
        read.content.content.includes('wallaby') &&
        found.ids.includes('file:animals.md') &&
        gone.ids.length === 0 &&
        fetched.content.text.includes('wallaby')
      );
    });
    const hit = (await search('wallaby')).content.results[0];
    expect(hit.snippet).toMatch(/wallaby\W* naps/);

    rmSync(file('animals.md'));
    await visibleWithin('delete', async () => (await readFile('animals.md')).status === 404 && (await search('wallaby')).ids.length === 0);

    mkdirSync(file('zoo/reptiles'), { recursive: true });
    writeFileSync(file('zoo/reptiles/gecko.md'), 'A gecko climbs the wall.\n');
    await visibleWithin('new folder', async () => (await search('gecko')).ids.includes('file:zoo/reptiles/gecko.md'));

    renameSync(file('zoo'), file('park'));
    await visibleWithin('folder rename', async () => {
      const found = await search('gecko');
      return found.ids.length === 1 && found.ids[0] === 'file:park/reptiles/gecko.md';
    });
  });
});

describeWithRedis('a change made outside the server, across replicas', () => {
  const prefix = uniquePrefix('watch-replicas');
  const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-watch-replicas-'));
  const workspace = path.join(root, 'workspace');
  let watching: Replica;
  let blind: Replica;

  const env = (name: string, watch: boolean): Record<string, string> => {
    const dataDir = path.join(root, `data-${name}`);
    mkdirSync(dataDir, { recursive: true });
    return {
      MCP_API_KEYS: `admin:${ADMIN_KEY}:read+write`,
      DATA_DIR: dataDir,
      WORKSPACE_DIR: workspace,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      RATE_LIMIT_MAX: '100000',
      WATCH_WORKSPACE: String(watch),
      ...STALE_FOREVER,
    };
  };

  beforeAll(async () => {
    mkdirSync(workspace, { recursive: true });
    // B watches nothing itself (like a replica on another host of a network volume): only A's
    // watcher, the change log and the cache generations can bring B up to date.
    [watching, blind] = await Promise.all([startReplica('A', env('a', true)), startReplica('B', env('b', false))]);
  }, 180_000);
  afterAll(async () => {
    for (const replica of [watching, blind]) await replica?.kill('SIGTERM');
    await dropPrefix(REDIS_URL, prefix);
    rmSync(root, { recursive: true, force: true });
  });

  const op = async (replica: Replica, tool: string, operation: string, parameters: Record<string, unknown>) => {
    const answer = await post(replica.mcpUrl, call(tool, operation, parameters));
    return { status: answer.status, content: answer.body.content, cached: answer.body.metadata?._cached === true };
  };
  const ids = async (replica: Replica, query: string) =>
    ((await op(replica, 'web_search', 'search', { query })).content.results as { id: string }[]).map((r) => r.id);

  it('reaches the replica that does not watch, through the change log and the cache generations', async () => {
    writeFileSync(path.join(workspace, 'bird.md'), 'A lyrebird sings.\n');
    await visibleWithin('replica create', async () => (await ids(blind, 'lyrebird')).includes('file:bird.md'));
    await op(blind, 'file_system', 'read_file', { path: 'bird.md' });
    expect((await op(blind, 'file_system', 'read_file', { path: 'bird.md' })).cached).toBe(true);

    writeFileSync(path.join(workspace, 'bird.md'), 'A cassowary struts.\n');
    await visibleWithin('replica edit', async () => {
      const read = await op(blind, 'file_system', 'read_file', { path: 'bird.md' });
      return read.content.content.includes('cassowary') && (await ids(blind, 'lyrebird')).length === 0;
    });
    expect(await ids(blind, 'cassowary')).toEqual(['file:bird.md']);

    rmSync(path.join(workspace, 'bird.md'));
    await visibleWithin('replica delete', async () => (await ids(blind, 'cassowary')).length === 0);
  });
});

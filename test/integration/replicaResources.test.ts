import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_KEY } from '../helpers/server.js';
import { MCP_HEADERS, call, post } from '../infra/helpers/http.js';
import { startReplica, type Replica } from '../infra/helpers/replicas.js';
import { REDIS_URL, describeWithRedis, dropPrefix, uniquePrefix } from '../infra/helpers/services.js';

/** Resource-read cache hits a replica served so far (its /metrics). */
async function cacheHits(replica: Replica): Promise<number> {
  const text = await (await fetch(new URL('/metrics', replica.mcpUrl))).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('mcp_cache_lookups_total{') && l.includes('operation="read_workspace_file"') && l.includes('result="hit"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

describeWithRedis('MCP resources across replicas sharing Redis', () => {
  const prefix = uniquePrefix('resources');
  const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-replica-resources-'));
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    const env = (name: string) => {
      const dataDir = path.join(root, `data-${name}`);
      mkdirSync(dataDir, { recursive: true });
      mkdirSync(path.join(root, 'workspace'), { recursive: true });
      return {
        MCP_API_KEYS: `admin:${ADMIN_KEY}:read+write`,
        DATA_DIR: dataDir,
        WORKSPACE_DIR: path.join(root, 'workspace'),
        REDIS_URL,
        REDIS_PREFIX: prefix,
        RATE_LIMIT_MAX: '100000',
      };
    };
    [a, b] = await Promise.all([startReplica('A', env('a')), startReplica('B', env('b'))]);
  }, 120_000);

  afterAll(async () => {
    for (const replica of [a, b]) await replica?.kill('SIGTERM');
    await dropPrefix(REDIS_URL, prefix);
    rmSync(root, { recursive: true, force: true });
  });

  it('never follows a write through one replica with a stale cached resources/read through the other', async () => {
    const read = async (replica: Replica) => {
      const answer = await post(
        replica.mcpUrl,
        { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'file:///shared.md' } },
        { headers: { ...MCP_HEADERS, accept: 'application/json' } },
      );
      expect(answer.body.error).toBeUndefined();
      return answer.body.result.contents[0].text as string;
    };
    const hitsBefore = (await cacheHits(a)) + (await cacheHits(b));
    for (let i = 1; i <= 6; i++) {
      const [writer, reader] = i % 2 ? [a, b] : [b, a];
      expect((await post(writer.mcpUrl, call('file_system', 'write_file', { path: 'shared.md', content: `v${i}\n` }))).status).toBe(200);
      // Twice, so the second read is served from the reader's cache when nothing invalidated it.
      expect(await read(reader)).toBe(`v${i}\n`);
      expect(await read(reader)).toBe(`v${i}\n`);
      expect(await read(writer)).toBe(`v${i}\n`);
    }
    // The check only means something if the replicas really serve resources/read from their caches:
    // with no write in between, repeated reads are hits (a late change event may cost one each).
    for (const replica of [a, b]) for (let i = 0; i < 3; i++) expect(await read(replica)).toBe('v6\n');
    expect((await cacheHits(a)) + (await cacheHits(b)) - hitsBefore).toBeGreaterThanOrEqual(2);
  });
});

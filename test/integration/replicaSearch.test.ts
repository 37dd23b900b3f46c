import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_KEY } from '../helpers/server.js';
import { call, post } from '../infra/helpers/http.js';
import { startReplica, type Replica } from '../infra/helpers/replicas.js';
import { REDIS_URL, describeWithRedis, dropPrefix, uniquePrefix } from '../infra/helpers/services.js';

/**
 * Issue 18 item 4: two replicas share Redis and one workspace folder but each has its own search
 * index. A write through one must be reflected by `search` on the other as soon as the write has
 * returned: no waiting, no retries. The periodic rescan is off so it cannot paper over a miss.
 */
describeWithRedis('search across replicas sharing one workspace', () => {
  const prefix = uniquePrefix('replica-search');
  const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-replica-search-'));
  let a: Replica;
  let b: Replica;

  const env = (name: string): Record<string, string> => {
    const dataDir = path.join(root, `data-${name}`);
    mkdirSync(dataDir, { recursive: true });
    return {
      MCP_API_KEYS: `admin:${ADMIN_KEY}:read+write`,
      DATA_DIR: dataDir,
      WORKSPACE_DIR: path.join(root, 'workspace'),
      REDIS_URL,
      REDIS_PREFIX: prefix,
      RATE_LIMIT_MAX: '100000',
      SEARCH_RESCAN_INTERVAL_MS: '0',
      // Nor may a watcher: only the change log can make these pass.
      WATCH_WORKSPACE: 'false',
    };
  };

  beforeAll(async () => {
    mkdirSync(path.join(root, 'workspace'), { recursive: true });
    [a, b] = await Promise.all([startReplica('A', env('a')), startReplica('B', env('b'))]);
  }, 120_000);
  afterAll(async () => {
    for (const replica of [a, b]) await replica?.kill('SIGTERM');
    await dropPrefix(REDIS_URL, prefix);
    rmSync(root, { recursive: true, force: true });
  });

  const fs = async (replica: Replica, operation: string, parameters: Record<string, unknown>) => {
    const answer = await post(replica.mcpUrl, call('file_system', operation, parameters));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };
  const search = async (replica: Replica, query: string) => {
    const answer = await post(replica.mcpUrl, call('web_search', 'search', { query }));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body.content.results as { id: string; snippet?: string }[];
  };
  const ids = (hits: { id: string }[]) => hits.map((h) => h.id).sort();

  it('finds a file created through the other replica, with its new text after an edit, and never after a delete', async () => {
    for (let round = 0; round < 6; round++) {
      const [writer, reader] = round % 2 ? [b, a] : [a, b];
      const word = `wombat${round}x`;
      const file = `notes/r${round}.md`;
      // Warm the reader's cache with the answer the write must overturn.
      expect(await search(reader, word)).toEqual([]);

      await fs(writer, 'write_file', { path: file, content: `# Round ${round}\nThe ${word} dug a burrow.\n`, create_parents: true });
      const created = await search(reader, word);
      expect(ids(created)).toEqual([`file:${file}`]);
      expect(created[0].snippet).toContain('dug a burrow');

      await fs(writer, 'edit_file', { path: file, edits: [{ old_text: 'dug a burrow', new_text: 'ate a carrot' }] });
      const edited = await search(reader, word);
      expect(ids(edited)).toEqual([`file:${file}`]);
      expect(edited[0].snippet).toContain('ate a carrot');
      expect(edited[0].snippet).not.toContain('burrow');
      expect(await search(reader, 'burrow')).toEqual([]);

      await fs(writer, 'delete_file', { path: file });
      expect(await search(reader, word)).toEqual([]);
      expect(await search(reader, 'carrot')).toEqual([]);
    }
  });

  it('follows moves and recursive folder deletes made through the other replica', async () => {
    await fs(a, 'write_file', { path: 'box/inner/koala.md', content: 'A koala sleeps in the eucalyptus.\n', create_parents: true });
    await fs(a, 'write_file', { path: 'box/emu.md', content: 'An emu runs past the koala.\n' });
    expect(ids(await search(b, 'koala'))).toEqual(['file:box/emu.md', 'file:box/inner/koala.md']);

    await fs(a, 'move_file', { source: 'box/inner', destination: 'moved' });
    expect(ids(await search(b, 'koala'))).toEqual(['file:box/emu.md', 'file:moved/koala.md']);

    await fs(b, 'delete_file', { path: 'box', recursive: true });
    expect(ids(await search(a, 'koala'))).toEqual(['file:moved/koala.md']);
    expect(await search(a, 'emu')).toEqual([]);
  });

  it('keeps up with many writes between two searches (more than one log entry per search)', async () => {
    for (let i = 0; i < 20; i++) {
      await fs(a, 'write_file', { path: `bulk/f${i}.txt`, content: `platypus number ${i}\n`, create_parents: true });
    }
    expect((await search(b, 'platypus')).length).toBe(10);
    await fs(a, 'delete_file', { path: 'bulk', recursive: true });
    expect(await search(b, 'platypus')).toEqual([]);
  });
});

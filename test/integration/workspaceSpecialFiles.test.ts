import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, postJson, startServer, type TestServer } from '../helpers/server.js';

// Every path into the workspace, in one server: file_system reads, web_search fetch and the index.
// A short call limit: an open() stuck on a FIFO would surface as TIMEOUT instead of the refusal.
const ENV = { CALL_TIMEOUT_MS: '5000', SEARCH_RESCAN_INTERVAL_MS: '0', FETCH_CACHE_TTL_MS: '0', FS_CACHE_TTL_MS: '0' };

async function call(server: TestServer, tool: string, operation: string, parameters: Record<string, unknown>) {
  const reply = await postJson(server.mcpUrl, envelope(tool, operation, parameters));
  return reply.body.message_type === 'error'
    ? { ok: false as const, code: reply.body.content.code as string, message: reply.body.content.error as string }
    : { ok: true as const, result: reply.body.content };
}

function tryMknod(target: string): boolean {
  try {
    execFileSync('mknod', [target, 'c', '1', '5'], { stdio: 'ignore' }); // the same device as /dev/zero
    return true;
  } catch {
    return false; // not root, or no CAP_MKNOD in this container
  }
}

describe('special files in the workspace never block a call (FIFO, socket, device)', () => {
  let server: TestServer;
  let socket: net.Server;
  let hasDevice = false;
  beforeAll(async () => {
    server = await startServer({ env: ENV });
    const ws = server.workspaceDir;
    mkdirSync(path.join(ws, 'docs'));
    writeFileSync(path.join(ws, 'docs', 'plain.md'), '# Plain\n\nordinary searchable words\n');
    execFileSync('mkfifo', [path.join(ws, 'docs', 'pipe')]);
    execFileSync('mkfifo', [path.join(ws, 'docs', 'pipe.md')]);
    socket = net.createServer();
    await new Promise<void>((resolve) => socket.listen(path.join(ws, 'docs', 'sock.md'), resolve));
    hasDevice = tryMknod(path.join(ws, 'docs', 'zero.md'));
  });
  afterAll(async () => {
    await new Promise((resolve) => socket?.close(resolve));
    await server?.close();
  });

  it('web_search.fetch refuses each at once, many times over, and other file calls still work', async () => {
    const ids = ['file:docs/pipe', 'file:docs/pipe.md', 'file:docs/sock.md', ...(hasDevice ? ['file:docs/zero.md'] : [])];
    // 8 per id: twice libuv's thread pool; one blocking open per thread would stall all file I/O.
    const replies = await Promise.all(ids.flatMap((id) => Array.from({ length: 8 }, () => call(server, 'web_search', 'fetch', { id }))));
    for (const reply of replies) expect(reply).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await call(server, 'web_search', 'fetch', { id: 'file:docs/plain.md' })).toMatchObject({
      ok: true,
      result: { title: 'Plain' },
    });
    expect(await call(server, 'file_system', 'read_file', { path: 'docs/plain.md' })).toMatchObject({ ok: true });
  });

  it('file_system reads refuse them clearly; listings and info show them without opening them', async () => {
    const names = ['docs/pipe', 'docs/sock.md', ...(hasDevice ? ['docs/zero.md'] : [])];
    for (const name of names) {
      const reply = await call(server, 'file_system', 'read_file', { path: name });
      // The envelope dialect's name for INVALID_PARAMS.
      expect(reply).toMatchObject({ ok: false, code: 'INVALID_REQUEST' });
      expect(reply.ok ? '' : reply.message).toMatch(/FIFO|socket|device/);
    }
    const multi = await call(server, 'file_system', 'read_multiple_files', { paths: [...names, 'docs/plain.md'] });
    expect(multi.ok).toBe(true);
    const files = multi.ok ? multi.result.files : [];
    expect(files.slice(0, -1).every((f: any) => f.error?.code === 'INVALID_PARAMS')).toBe(true);
    expect(files.at(-1).content).toContain('ordinary');
    for (const name of names) {
      expect(await call(server, 'file_system', 'get_file_info', { path: name })).toMatchObject({ ok: true, result: { type: 'other' } });
    }
    const tree = await call(server, 'file_system', 'directory_tree', { path: 'docs' });
    expect(tree.ok && tree.result.entries.map((e: any) => e.path)).toEqual(expect.arrayContaining(['docs/pipe', 'docs/sock.md']));
    const found = await call(server, 'file_system', 'search_files', { pattern: '*.md' });
    expect(found.ok && found.result.matches.length).toBeGreaterThanOrEqual(3);
  });

  it('the search index skips them and indexes the rest, on the first scan and on write events', async () => {
    const hit = await call(server, 'web_search', 'search', { query: 'ordinary searchable' });
    expect(hit).toMatchObject({ ok: true, result: { results: [expect.objectContaining({ id: 'file:docs/plain.md' })] } });
    // A write into the folder makes the index look at it again.
    expect(await call(server, 'file_system', 'write_file', { path: 'docs/new.md', content: 'freshly written marker' })).toMatchObject({
      ok: true,
    });
    const fresh = await call(server, 'web_search', 'search', { query: 'freshly written marker' });
    expect(fresh.ok && fresh.result.results.map((r: any) => r.id)).toEqual(['file:docs/new.md']);
  });
});

describe('hard links into the workspace (refused by default, FS_ALLOW_HARD_LINKS opts in)', () => {
  const SECRET = 'outsidesecret credentials';

  async function withLinkedServer(env: Record<string, string>) {
    const server = await startServer({ env: { ...ENV, ...env } });
    const outside = path.join(path.dirname(server.workspaceDir), 'outside');
    mkdirSync(outside, { recursive: true });
    const original = path.join(outside, 'secret.txt');
    writeFileSync(original, SECRET);
    // What someone with local access (or an extracted archive) can do: a second name, inside.
    linkSync(original, path.join(server.workspaceDir, 'leak.txt'));
    linkSync(original, path.join(server.workspaceDir, 'leak.md'));
    return { server, original };
  }

  it('no read path returns the content of a hard-linked file', async () => {
    const { server, original } = await withLinkedServer({});
    try {
      const read = await call(server, 'file_system', 'read_file', { path: 'leak.txt' });
      expect(read).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(read.ok ? '' : read.message).toContain('FS_ALLOW_HARD_LINKS');
      const multi = await call(server, 'file_system', 'read_multiple_files', { paths: ['leak.txt'] });
      expect(multi.ok && multi.result.files[0].error.code).toBe('FORBIDDEN');
      const edit = await call(server, 'file_system', 'edit_file', {
        path: 'leak.md',
        edits: [{ old_text: 'outsidesecret', new_text: 'x' }],
        dry_run: true,
      });
      expect(edit).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(await call(server, 'web_search', 'fetch', { id: 'file:leak.md' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
      const search = await call(server, 'web_search', 'search', { query: 'outsidesecret' });
      expect(search.ok && search.result.results).toEqual([]);
      // Metadata is visible (as for any name in the workspace); the content is not.
      expect(await call(server, 'file_system', 'get_file_info', { path: 'leak.txt' })).toMatchObject({
        ok: true,
        result: { type: 'file' },
      });
      // A write replaces the name with a new file; the outside file is untouched.
      expect(await call(server, 'file_system', 'write_file', { path: 'leak.txt', content: 'new' })).toMatchObject({ ok: true });
      expect(readFileSync(original, 'utf8')).toBe(SECRET);
      expect(await call(server, 'file_system', 'read_file', { path: 'leak.txt' })).toMatchObject({ ok: true, result: { content: 'new' } });
    } finally {
      await server.close();
    }
  });

  it('FS_ALLOW_HARD_LINKS=true reads them like any other file', async () => {
    const { server } = await withLinkedServer({ FS_ALLOW_HARD_LINKS: 'true' });
    try {
      expect(await call(server, 'file_system', 'read_file', { path: 'leak.txt' })).toMatchObject({ ok: true, result: { content: SECRET } });
      expect(await call(server, 'web_search', 'fetch', { id: 'file:leak.md' })).toMatchObject({ ok: true, result: { text: SECRET } });
    } finally {
      await server.close();
    }
  });
});

import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Client, UriTemplate } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_KEY, READER_KEY, connectClient, postJson, startServer, type ClientVersion, type TestServer } from '../../helpers/server.js';

const WRITER_KEY = 'writer-key-0123456789';
const PAGE = 7;
const MAX_READ = 4096;
const SECRET = 'TOP-SECRET-OUTSIDE-THE-WORKSPACE';

let server: TestServer;
let outside: string;
/** Every file resources/list must show, in walk order (depth first, by name). */
let expected: string[];

beforeAll(async () => {
  server = await startServer({
    env: {
      MCP_API_KEYS: `admin:${ADMIN_KEY}:read+write,reader:${READER_KEY}:read,writer:${WRITER_KEY}:write`,
      FS_MAX_LIST_ENTRIES: String(PAGE),
      FS_MAX_READ_BYTES: String(MAX_READ),
      FS_RESOURCE_CACHE_TTL_MS: '5000',
    },
  });
  const ws = server.workspaceDir;
  outside = path.join(path.dirname(ws), 'outside');
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(outside, 'secret.txt'), SECRET);

  const files: Record<string, string | Buffer> = {
    'README.md': '# Workspace\n',
    'a b/c d.txt': 'spaces in names\n',
    'data/table.csv': 'id,name\n1,x\n',
    'data/unknown.bin2': Buffer.from([0, 1, 2, 3, 255]),
    'data/notes.weird': 'plain text with an unknown extension\n',
    'img/pixel.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    'naïve ünïcode.md': 'unicode name\n',
    'q?x#y%.md': 'reserved characters\n',
  };
  for (let i = 0; i < 12; i++) files[`deep/n${String(i).padStart(2, '0')}/f.txt`] = `file ${i}\n`;
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
    writeFileSync(path.join(ws, rel), content);
  }
  // Entries read_file would refuse, or that are not files of their own: never listed.
  writeFileSync(path.join(ws, 'big.txt'), 'x'.repeat(MAX_READ + 1));
  execFileSync('mkfifo', [path.join(ws, 'pipe')]);
  symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, 'link-out'));
  symlinkSync(outside, path.join(ws, 'dir-out'));
  symlinkSync('README.md', path.join(ws, 'link-in'));
  linkSync(path.join(outside, 'secret.txt'), path.join(ws, 'hard-link'));
  mkdirSync(path.join(ws, 'empty/nested/deeper'), { recursive: true });
  writeFileSync(path.join(ws, 'back\\slash.txt'), 'unreachable by name');

  expected = Object.keys(files).sort(walkOrder);
});

afterAll(async () => {
  await server?.close();
});

/** Depth-first by name = comparing the paths segment by segment, in code-unit order. */
function walkOrder(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  }
  return x.length - y.length;
}

async function withClient<T>(fn: (client: Client) => Promise<T>, version: ClientVersion = '2025-11-25', key = ADMIN_KEY): Promise<T> {
  const client = await connectClient(server.mcpUrl, version, key);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

type Page = { resources: Array<{ name: string; uri: string }>; nextCursor?: string };

/**
 * The first page, raw: the official client called without a cursor walks every page itself
 * (and returns them aggregated), so single pages start from a plain JSON-RPC request.
 */
async function firstPage(key = ADMIN_KEY): Promise<Page> {
  const { body } = await postJson(
    server.mcpUrl,
    { jsonrpc: '2.0', id: 1, method: 'resources/list', params: {} },
    { accept: 'application/json', 'mcp-protocol-version': '2025-11-25', authorization: `Bearer ${key}` },
  );
  expect(body.error).toBeUndefined();
  return body.result as Page;
}

/** Walks the pages one at a time with the official client's per-page calls. */
async function listAll(client: Client, key = ADMIN_KEY): Promise<{ names: string[]; pages: number; uris: string[] }> {
  const names: string[] = [];
  const uris: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page: Page = cursor === undefined ? await firstPage(key) : await client.listResources({ cursor });
    expect(page.resources.length).toBeLessThanOrEqual(PAGE);
    for (const r of page.resources) {
      names.push(r.name);
      uris.push(r.uri);
    }
    cursor = page.nextCursor;
    pages++;
    expect(pages, 'the listing must end').toBeLessThan(50);
  } while (cursor !== undefined);
  return { names, pages, uris };
}

async function refusal(client: Client, uri: string): Promise<{ code: number; message: string; data?: unknown }> {
  try {
    const result = await client.readResource({ uri });
    throw new Error(`${uri} was read: ${JSON.stringify(result).slice(0, 200)}`);
  } catch (error) {
    const e = error as { code?: number; message: string; data?: unknown };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, message: e.message, data: e.data };
  }
}

describe('MCP resources: the workspace files', () => {
  it('advertises the resources capability without change notifications', async () => {
    await withClient(async (client) => {
      expect(client.getServerCapabilities()?.resources).toEqual({ listChanged: false });
    });
  });

  it('lists every readable file once, in a stable order, page by page', async () => {
    await withClient(async (client) => {
      const first = await listAll(client);
      expect(first.names).toEqual(expected);
      expect(first.pages).toBeGreaterThan(2);
      // The same walk twice gives the same pages; the client's own walk of all pages agrees.
      expect((await listAll(client)).names).toEqual(expected);
      const all = await client.listResources();
      expect(all.resources.map((r) => r.name)).toEqual(expected);
      const readme = all.resources.find((r) => r.name === 'README.md')!;
      expect(readme).toMatchObject({ uri: 'file:///README.md', mimeType: 'text/markdown', size: 12 });
      expect(Date.parse(readme.annotations!.lastModified!)).not.toBeNaN();
      expect(first.uris).toContain('file:///a%20b/c%20d.txt');
      expect(first.uris).toContain('file:///q%3Fx%23y%25.md');
    });
  });

  it('keeps its place by name when files appear between pages', async () => {
    await withClient(async (client) => {
      const page1 = await firstPage();
      expect(page1.nextCursor).toBeDefined();
      // Through write_file, so the cached pages are evicted and the walk really resumes by name.
      for (const name of ['0-new-first.md', 'zzz-new-last.md'])
        await client.callTool({ name: 'write_file', arguments: { path: name, content: 'new\n' } });
      try {
        const rest: string[] = [];
        let cursor = page1.nextCursor;
        while (cursor !== undefined) {
          const page = await client.listResources({ cursor });
          rest.push(...page.resources.map((r) => r.name));
          cursor = page.nextCursor;
        }
        // Nothing repeated or skipped; the file before the cursor waits for the next walk.
        expect([...page1.resources.map((r) => r.name), ...rest]).toEqual([...expected, 'zzz-new-last.md']);
      } finally {
        for (const name of ['0-new-first.md', 'zzz-new-last.md']) await client.callTool({ name: 'delete_file', arguments: { path: name } });
      }
    });
  });

  it('refuses a cursor it did not hand out', async () => {
    await withClient(async (client) => {
      for (const cursor of ['nope', '', Buffer.from('{"r":"workspace_file","c":"x"}').toString('base64url')]) {
        await expect(client.listResources({ cursor })).rejects.toMatchObject({ code: -32602 });
      }
      const dotted = Buffer.from(JSON.stringify({ v: 1, after: '../../etc' })).toString('base64url');
      const wrapped = Buffer.from(JSON.stringify({ r: 'workspace_file', c: dotted })).toString('base64url');
      await expect(client.listResources({ cursor: wrapped })).rejects.toMatchObject({ code: -32602 });
    });
  });

  it('offers one RFC 6570 template whose expansions read like the listed URIs', async () => {
    await withClient(async (client) => {
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates).toEqual([
        expect.objectContaining({ uriTemplate: 'file:///{+path}', name: 'workspace_file', title: 'Workspace file' }),
      ]);
      const template = new UriTemplate(resourceTemplates[0]!.uriTemplate);
      const uri = template.expand({ path: 'a b/c d.txt' });
      expect(uri).toBe('file:///a%20b/c%20d.txt');
      const read = await client.readResource({ uri });
      expect(read.contents).toEqual([{ uri, mimeType: 'text/plain', text: 'spaces in names\n' }]);
      expect(template.match('file:///data/table.csv')).toEqual({ path: 'data/table.csv' });
    });
  });

  it('reads text as UTF-8 text and everything else as a base64 blob, with a MIME type', async () => {
    await withClient(async (client) => {
      const read = async (uri: string) => (await client.readResource({ uri })).contents[0] as Record<string, unknown>;
      expect(await read('file:///README.md')).toEqual({ uri: 'file:///README.md', mimeType: 'text/markdown', text: '# Workspace\n' });
      expect(await read('file:///data/table.csv')).toMatchObject({ mimeType: 'text/csv', text: 'id,name\n1,x\n' });
      expect(await read('file:///data/notes.weird')).toMatchObject({
        mimeType: 'text/plain',
        text: 'plain text with an unknown extension\n',
      });
      expect(await read(`file:///${encodeURIComponent('naïve ünïcode.md')}`)).toMatchObject({ text: 'unicode name\n' });
      expect(await read('file:///q%3Fx%23y%25.md')).toMatchObject({ text: 'reserved characters\n' });
      const png = await read('file:///img/pixel.png');
      expect(png).toMatchObject({ mimeType: 'image/png' });
      expect(Buffer.from(png.blob as string, 'base64')).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      const bin = await read('file:///data/unknown.bin2');
      expect(bin).toMatchObject({ mimeType: 'application/octet-stream', blob: Buffer.from([0, 1, 2, 3, 255]).toString('base64') });
      expect(bin.text).toBeUndefined();
      // A link that stays inside is read like read_file reads it (it is just not listed twice).
      expect(await read('file:///link-in')).toMatchObject({ text: '# Workspace\n' });
    });
  });

  it('refuses files over the read cap, with a hint', async () => {
    await withClient(async (client) => {
      const { code, message } = await refusal(client, 'file:///big.txt');
      expect(code).toBe(-32602);
      expect(message).toContain('PAYLOAD_TOO_LARGE');
      expect(message).toContain('read_file');
    });
  });

  it('refuses every URI that leaves the workspace or is not a workspace file, with invalid params', async () => {
    const hostile = [
      'file:///../outside/secret.txt',
      'file:///%2e%2e/outside/secret.txt',
      'file:///%2E%2E/%2e%2e/etc/passwd',
      'file:///a%20b/../../outside/secret.txt',
      'file:///a%20b/%2e%2e/%2e%2e/outside/secret.txt',
      'file:///..%2f..%2foutside%2fsecret.txt',
      'file:///..%5c..%5coutside%5csecret.txt',
      'file:///./README.md',
      'file:////etc/passwd',
      'file:///%2Fetc%2Fpasswd',
      `file://${outside}/secret.txt`,
      'file://localhost/etc/passwd',
      'file:///etc/passwd',
      'file:///link-out',
      'file:///dir-out/secret.txt',
      'file:///hard-link',
      'file:///pipe',
      'file:///a%20b',
      'file:///a%20b/',
      'file:///',
      'file:///README.md%00.png',
      'file:///README.md?x=1',
      'file:///README.md#top',
      'file:///%E0%A4%A',
      '/etc/passwd',
      '../outside/secret.txt',
      'http://127.0.0.1:1/',
      'https://example.com/secret.txt',
      'skill://x/SKILL.md',
    ];
    await withClient(async (client) => {
      for (const uri of hostile) {
        const { code, message, data } = await refusal(client, uri);
        expect(code, uri).toBe(-32602);
        expect(data, uri).toEqual({ uri });
        // Security: no refusal shows the outside file or where the workspace lives.
        expect(message, uri).not.toContain(SECRET);
        expect(message, uri).not.toContain(path.dirname(server.workspaceDir));
      }
    });
  });

  it('serves a read-only key, and refuses a key without the read scope', async () => {
    await withClient(
      async (client) => {
        expect((await listAll(client, READER_KEY)).names).toEqual(expected);
        expect((await client.readResource({ uri: 'file:///README.md' })).contents[0]).toMatchObject({ text: '# Workspace\n' });
      },
      '2025-11-25',
      READER_KEY,
    );
    await withClient(
      async (client) => {
        for (const attempt of [
          () => client.listResources(),
          () => client.listResourceTemplates(),
          () => client.readResource({ uri: 'file:///README.md' }),
        ]) {
          await expect(attempt()).rejects.toMatchObject({ code: -32003, message: expect.stringContaining('"read" permission') });
        }
      },
      '2025-11-25',
      WRITER_KEY,
    );
  });

  it('carries the 2026-07-28 cache hints on list and read results, and not on earlier revisions', async () => {
    await withClient(async (client) => {
      // FS_RESOURCE_CACHE_TTL_MS for what changes, an hour for the template fixed at start.
      expect(await client.listResources()).toMatchObject({ ttlMs: 5000, cacheScope: 'private' });
      expect(await client.readResource({ uri: 'file:///README.md' })).toMatchObject({ ttlMs: 5000, cacheScope: 'private' });
      expect(await client.listResourceTemplates()).toMatchObject({ ttlMs: 3_600_000, cacheScope: 'private' });
    }, '2026-07-28');
    await withClient(async (client) => {
      for (const result of [await client.readResource({ uri: 'file:///README.md' }), await client.listResourceTemplates()]) {
        expect(result).not.toHaveProperty('ttlMs');
        expect(result).not.toHaveProperty('cacheScope');
      }
    });
  });

  it('shares read_file’s cache: a repeated read is a cache hit, and write_file evicts it', async () => {
    const cache = server.built.cache;
    const lookups: boolean[] = [];
    const spy = vi.spyOn(cache, 'get');
    const invalidate = vi.spyOn(cache, 'invalidate');
    try {
      await withClient(async (client) => {
        const uri = 'file:///cached.md';
        await client.callTool({ name: 'write_file', arguments: { path: 'cached.md', content: 'one\n' } });
        const readAndRecord = async () => {
          const before = spy.mock.results.length;
          const { contents } = await client.readResource({ uri });
          const mine = spy.mock.calls.slice(before).findIndex(([key]) => String(key).startsWith('resources:read_workspace_file:'));
          expect(mine, 'resources/read must look in the result cache').toBeGreaterThanOrEqual(0);
          lookups.push(((await spy.mock.results[before + mine]!.value) as { hit: boolean }).hit);
          return (contents[0] as { text: string }).text;
        };
        expect(await readAndRecord()).toBe('one\n');
        expect(await readAndRecord()).toBe('one\n');
        expect(lookups).toEqual([false, true]);
        await client.callTool({ name: 'write_file', arguments: { path: 'cached.md', content: 'two\n' } });
        expect(invalidate).toHaveBeenLastCalledWith(['fs:*']);
        expect(await readAndRecord()).toBe('two\n');
        expect(lookups).toEqual([false, true, false]);
        await client.callTool({ name: 'delete_file', arguments: { path: 'cached.md' } });
      });
    } finally {
      spy.mockRestore();
      invalidate.mockRestore();
    }
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsHarness, type FsHarness } from './helpers.js';

let t: FsHarness;
beforeEach(async () => {
  t = await fsHarness({ FS_MAX_LIST_ENTRIES: '5', FS_MAX_TREE_DEPTH: '3', FS_MAX_SEARCH_RESULTS: '4' });
});
afterEach(async () => t.close());

function put(rel: string, content = 'x') {
  mkdirSync(path.dirname(path.join(t.ws, rel)), { recursive: true });
  writeFileSync(path.join(t.ws, rel), content);
}

describe('list_directory', () => {
  it('lists sorted entries with type, size and modified time', async () => {
    put('b.txt', 'bbb');
    put('a/inner.txt');
    put('.hidden');
    const r = await t.call('list_directory', { path: '/' });
    expect(r).toMatchObject({ path: '', total: 3, truncated: false, next_cursor: null });
    expect(r.entries.map((e: any) => [e.name, e.type, e.size])).toEqual([
      ['.hidden', 'file', 1],
      ['a', 'directory', undefined],
      ['b.txt', 'file', 3],
    ]);
    expect(r.entries[1].path).toBe('a');
    const sub = await t.call('list_directory', { path: 'a' });
    expect(sub.entries).toEqual([expect.objectContaining({ name: 'inner.txt', path: 'a/inner.txt' })]);
  });

  it('pages with an opaque cursor and reports truncated until the last page', async () => {
    for (let i = 0; i < 12; i++) put(`f${String(i).padStart(2, '0')}.txt`);
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await t.call('list_directory', { path: '/', limit: 5, ...(cursor ? { cursor } : {}) });
      names.push(...r.entries.map((e: any) => e.name));
      expect(r.truncated).toBe(r.next_cursor !== null);
      cursor = r.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `f${String(i).padStart(2, '0')}.txt`));
  });

  it('keeps paging correctly when entries change between pages', async () => {
    for (const n of ['a', 'b', 'c', 'd']) put(n);
    const first = await t.call('list_directory', { limit: 2 });
    put('aa'); // sorts before the cursor: not repeated, not skipped past
    const second = await t.call('list_directory', { limit: 5, cursor: first.next_cursor });
    expect(second.entries.map((e: any) => e.name)).toEqual(['c', 'd']);
  });

  it('caps the page at FS_MAX_LIST_ENTRIES and rejects bad cursors', async () => {
    expect((await t.fail('list_directory', { limit: 6 })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('list_directory', { cursor: 'garbage' })).code).toBe('INVALID_PARAMS');
    put('d1/x');
    put('d2/y');
    put('d1/z');
    const page = await t.call('list_directory', { path: 'd1', limit: 1 });
    expect((await t.fail('list_directory', { path: 'd2', cursor: page.next_cursor })).code).toBe('INVALID_PARAMS');
  });

  it('refuses files and missing folders', async () => {
    put('file.txt');
    expect((await t.fail('list_directory', { path: 'file.txt' })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('list_directory', { path: 'missing' })).code).toBe('NOT_FOUND');
  });
});

describe('directory_tree', () => {
  it('lists depth-first in name order down to the depth limit, marking unexpanded folders', async () => {
    put('a/b/c/d/deep.txt');
    put('a/file.txt');
    const r = await t.call('directory_tree', { path: '/', depth: 3 });
    expect(r.entries).toEqual([
      { path: 'a', type: 'directory', depth: 1 },
      { path: 'a/b', type: 'directory', depth: 2 },
      { path: 'a/b/c', type: 'directory', depth: 3, not_expanded: true },
      { path: 'a/file.txt', type: 'file', depth: 2 },
    ]);
    expect(r.truncated).toBe(false);
    expect((await t.fail('directory_tree', { depth: 4 })).code).toBe('INVALID_PARAMS');
  });

  it('starts from a subfolder, applies exclusions and caps the entry count', async () => {
    put('src/node_modules/lib/index.js');
    put('src/app.ts');
    put('src/app.log');
    const r = await t.call('directory_tree', { path: 'src', exclude: ['node_modules', '*.log'] });
    expect(r.entries.map((e: any) => e.path)).toEqual(['src/app.ts']);
    for (let i = 0; i < 8; i++) put(`many/f${i}`);
    const capped = await t.call('directory_tree', { path: 'many' });
    expect(capped.entries).toHaveLength(5);
    expect(capped.truncated).toBe(true);
  });

  it('reports progress and stops when the call is cancelled', async () => {
    for (let i = 0; i < 5; i++) put(`p/d${i}/f`);
    const controller = new AbortController();
    controller.abort();
    expect((await t.fail('directory_tree', { path: 'p' }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});

describe('search_files', () => {
  it('finds names at any depth with a slash-less glob, and paths with a slash glob', async () => {
    put('README.md');
    put('docs/guide.md');
    put('docs/api/ref.md');
    put('src/readme.txt');
    const byName = await t.call('search_files', { pattern: '*.md' });
    expect(byName.matches.map((m: any) => m.path)).toEqual(['README.md', 'docs/api/ref.md', 'docs/guide.md']);
    const byPath = await t.call('search_files', { path: 'docs', pattern: 'api/*.md' });
    expect(byPath.matches).toEqual([{ path: 'docs/api/ref.md', type: 'file' }]);
    expect(byPath.truncated).toBe(false);
  });

  it('skips excluded folders entirely and caps results with truncated', async () => {
    put('node_modules/pkg/index.js');
    for (let i = 0; i < 6; i++) put(`src/m${i}.js`);
    const r = await t.call('search_files', { pattern: '*.js', exclude: ['node_modules'] });
    expect(r.matches).toHaveLength(4);
    expect(r.truncated).toBe(true);
    expect(r.matches.every((m: any) => m.path.startsWith('src/'))).toBe(true);
    const few = await t.call('search_files', { pattern: '*.js', exclude: ['node_modules'], max_results: 2 });
    expect(few.matches).toHaveLength(2);
    expect((await t.fail('search_files', { pattern: '*.js', max_results: 5 })).code).toBe('INVALID_PARAMS');
  });

  it('reports progress on long walks', async () => {
    const local = await fsHarness();
    try {
      for (let i = 0; i < 120; i++) mkdirSync(path.join(local.ws, `d${i}`));
      const updates: unknown[] = [];
      await local.call('search_files', { pattern: 'nothing' }, { onProgress: (u) => updates.push(u) });
      expect(updates.length).toBeGreaterThan(0);
    } finally {
      await local.close();
    }
  });
});

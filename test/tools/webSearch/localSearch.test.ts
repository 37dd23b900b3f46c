import { mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Env } from '../../../src/config/index.js';
import { createWebSearchTool } from '../../../src/tools/webSearch/index.js';
import { createToolHarness, type ToolHarness } from '../../helpers/toolHarness.js';
import { rejectsWith, tempDirs, type TempDirs } from './helpers.js';

interface Results {
  results: Array<{ id: string; title: string; url: string; snippet?: string }>;
  note?: string;
}

let dirs: TempDirs;
let harness: ToolHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  dirs?.cleanup();
});

/** A workspace with the given files, and the tool built over it (its first index build runs at once). */
async function workspace(files: Record<string, string | Buffer>, env: Env = {}): Promise<ToolHarness> {
  dirs = tempDirs();
  for (const [rel, content] of Object.entries(files)) dirs.write(rel, content);
  harness = await createToolHarness(createWebSearchTool, {
    WORKSPACE_DIR: dirs.workspace,
    DATA_DIR: dirs.data,
    SEARCH_RESCAN_INTERVAL_MS: '0',
    // The first search waits for the first build (however slow a loaded machine is); tests of the
    // "still being built" note set their own wait.
    SEARCH_INDEX_WAIT_MS: '120000',
    ...env,
  });
  return harness;
}

const search = async (h: ToolHarness, query: string, extra: Record<string, unknown> = {}) =>
  (await h.call('search', { query, ...extra })) as Results;
const ids = (r: Results) => r.results.map((x) => x.id);

describe('local search', () => {
  it("finds text, Markdown, source, JSON and HTML documents, in ChatGPT's result shape", async () => {
    const h = await workspace({
      'notes/plan.md': '# Launch plan\n\nWe launch the zephyr rocket in May.',
      'notes/todo.txt': 'buy zephyr fuel',
      'src/engine.ts': 'export function igniteZephyr() { return "zephyr"; }',
      'data/config.json': '{"vehicle": "zephyr", "stages": 2}',
      'site/index.html':
        '<html><head><title>Zephyr site</title></head><body><p>All about the zephyr.</p><script>var hidden = "scriptonly";</script></body></html>',
      'other.md': 'nothing relevant',
    });
    const result = await search(h, 'zephyr');
    expect(ids(result).sort()).toEqual([
      'file:data/config.json',
      'file:notes/plan.md',
      'file:notes/todo.txt',
      'file:site/index.html',
      'file:src/engine.ts',
    ]);
    expect(result.note).toBeUndefined();
    expect(h.registry.byMcpName('search')!.validateOutput(result)).toBe(true);
    const plan = result.results.find((r) => r.id === 'file:notes/plan.md')!;
    expect(plan).toMatchObject({ title: 'Launch plan', url: 'file:///notes/plan.md' });
    expect(plan.snippet).toContain('**zephyr**');
    expect(result.results.find((r) => r.id === 'file:site/index.html')!.title).toBe('Zephyr site');
    // Script contents are not text a reader sees, so they are not indexed.
    expect((await search(h, 'scriptonly')).results).toEqual([]);
  });

  it('ranks a title match above a passing mention, and documents matching all words above those matching some', async () => {
    const h = await workspace({
      'a.md': '# Notes\n\nSomewhere we mention pelicans once, among many other words about lakes and rivers and weather.',
      'b.md': '# Pelicans\n\nPelicans are large water birds.',
      'c.md': 'brown pelicans dive; brown bears do not',
    });
    expect(ids(await search(h, 'pelicans'))[0]).toBe('file:b.md');
    const both = await search(h, 'brown pelicans');
    expect(ids(both)[0]).toBe('file:c.md');
    expect(ids(both)).toHaveLength(3); // the others fill up the list as partial matches
  });

  it('treats query syntax as plain words and honours limit', async () => {
    const h = await workspace(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`doc${i}.txt`, `kestrel number ${i}`])));
    expect((await search(h, 'kestrel', { limit: 3 })).results).toHaveLength(3);
    for (const hostile of ['"kestrel', 'kestrel OR', 'NEAR(kestrel', 'path:kestrel', 'kestrel*', '^kestrel', ')))']) {
      const r = await search(h, hostile);
      expect(Array.isArray(r.results)).toBe(true);
    }
    expect((await search(h, '!!!')).results).toEqual([]);
  });

  it('fetch returns the full text of a result by its id, and by its url', async () => {
    const h = await workspace({
      'notes/plan.md': '# Launch plan\n\nWe launch the zephyr rocket in May.\n',
      'site/a b.html': '<html><head><title>Page</title></head><body><h1>Hello</h1><p>World &amp; co</p></body></html>',
    });
    const [hit] = (await search(h, 'zephyr')).results;
    const doc = (await h.call('fetch', { id: hit!.id })) as Record<string, any>;
    expect(doc).toMatchObject({
      id: 'file:notes/plan.md',
      title: 'Launch plan',
      text: '# Launch plan\n\nWe launch the zephyr rocket in May.\n',
      url: 'file:///notes/plan.md',
    });
    expect(doc.metadata).toMatchObject({ source: 'workspace', path: 'notes/plan.md', bytes: 51 });
    expect(h.registry.byMcpName('fetch')!.validateOutput(doc)).toBe(true);
    const html = (await h.call('fetch', { id: 'file:///site/a%20b.html' })) as Record<string, any>;
    expect(html).toMatchObject({ title: 'Page', url: 'file:///site/a%20b.html', text: 'Hello\n\nWorld & co' });
  });

  it('fetch reads the current file, not the indexed copy', async () => {
    const h = await workspace({ 'live.txt': 'first version' });
    await search(h, 'first');
    writeFileSync(path.join(dirs.workspace, 'live.txt'), 'second version');
    expect(((await h.call('fetch', { id: 'file:live.txt' })) as { text: string }).text).toBe('second version');
  });

  it('returns NOT_FOUND for ids that do not name a workspace document', async () => {
    const h = await workspace({ 'a.txt': 'hello' });
    await rejectsWith(h.call('fetch', { id: 'file:nope.txt' }), 'NOT_FOUND');
    await rejectsWith(h.call('fetch', { id: 'file:' }), 'NOT_FOUND');
  });
});

describe('local index: what is never indexed or fetched', () => {
  it('refuses paths that climb out of the workspace', async () => {
    const h = await workspace({ 'a.txt': 'hello' });
    writeFileSync(path.join(dirs.root, 'secret.txt'), 'TOP SECRET outside');
    for (const id of [
      'file:../secret.txt',
      'file:a/../../secret.txt',
      '../secret.txt',
      'file:///../secret.txt',
      `file:${path.join(dirs.root, 'secret.txt')}`,
    ]) {
      const error = await rejectsWith(h.call('fetch', { id }), 'NOT_FOUND');
      expect(error.message).not.toContain(dirs.root);
    }
  });

  it('skips symlinks that leave the workspace, for search and fetch', async () => {
    dirs = tempDirs();
    writeFileSync(path.join(dirs.root, 'outside.txt'), 'albatross outside the workspace');
    mkdirSync(path.join(dirs.root, 'outdir'));
    writeFileSync(path.join(dirs.root, 'outdir', 'deep.txt'), 'albatross in a linked folder');
    dirs.write('inside.txt', 'albatross inside');
    symlinkSync(path.join(dirs.root, 'outside.txt'), path.join(dirs.workspace, 'link.txt'));
    symlinkSync(path.join(dirs.root, 'outdir'), path.join(dirs.workspace, 'linkdir'));
    symlinkSync(path.join(dirs.workspace, 'inside.txt'), path.join(dirs.workspace, 'alias.txt'));
    harness = await createToolHarness(createWebSearchTool, {
      WORKSPACE_DIR: dirs.workspace,
      DATA_DIR: dirs.data,
      SEARCH_RESCAN_INTERVAL_MS: '0',
    });
    expect(ids(await search(harness, 'albatross')).sort()).toEqual(['file:alias.txt', 'file:inside.txt']);
    await rejectsWith(harness.call('fetch', { id: 'file:link.txt' }), 'NOT_FOUND');
    await rejectsWith(harness.call('fetch', { id: 'file:linkdir/deep.txt' }), 'NOT_FOUND');
  });

  it('skips hidden files, node_modules, excluded globs, binaries and files over the size cap', async () => {
    const h = await workspace(
      {
        'ok.md': 'gannet ok',
        '.env': 'gannet SECRET_TOKEN=1',
        '.git/config': 'gannet',
        'node_modules/pkg/readme.md': 'gannet',
        'build/out.txt': 'gannet',
        'image.png': 'gannet',
        blob: Buffer.concat([Buffer.from('gannet '), Buffer.from([0, 1, 2, 3])]),
        'huge.txt': `gannet ${'x'.repeat(2000)}`,
      },
      { SEARCH_INDEX_EXCLUDE: 'build/**', SEARCH_INDEX_MAX_FILE_BYTES: '1024' },
    );
    expect(ids(await search(h, 'gannet'))).toEqual(['file:ok.md']);
    await rejectsWith(h.call('fetch', { id: 'file:.env' }), 'NOT_FOUND');
    await rejectsWith(h.call('fetch', { id: 'file:blob' }), 'NOT_FOUND');
    await rejectsWith(h.call('fetch', { id: 'file:build/out.txt' }), 'NOT_FOUND');
    const tooBig = await rejectsWith(h.call('fetch', { id: 'file:huge.txt' }), 'PAYLOAD_TOO_LARGE');
    expect(tooBig.details).toMatchObject({ limit: 1024 });
  });
});

describe('local index: stays current with file_system writes', () => {
  it('a write is searchable as soon as the workspace event resolves', async () => {
    const h = await workspace({ 'old.md': 'unrelated' });
    await search(h, 'anything'); // first build done
    dirs.write('new/cormorant.md', '# Cormorants\n\nCormorants dive deep.');
    await h.events.emit({ kind: 'write', path: 'new/cormorant.md' });
    expect(ids(await search(h, 'cormorant'))).toEqual(['file:new/cormorant.md']);
  });

  it('an edit replaces the old text, a move renames, a delete removes', async () => {
    const h = await workspace({ 'bird.md': 'osprey' });
    expect(ids(await search(h, 'osprey'))).toEqual(['file:bird.md']);

    writeFileSync(path.join(dirs.workspace, 'bird.md'), 'heron');
    await h.events.emit({ kind: 'write', path: 'bird.md' });
    await h.cache.invalidate(['fs:*']); // what file_system's write does to the result cache
    expect((await search(h, 'osprey')).results).toEqual([]);
    expect(ids(await search(h, 'heron'))).toEqual(['file:bird.md']);

    mkdirSync(path.join(dirs.workspace, 'birds'));
    renameSync(path.join(dirs.workspace, 'bird.md'), path.join(dirs.workspace, 'birds', 'heron.md'));
    await h.events.emit({ kind: 'move', from: 'bird.md', to: 'birds/heron.md' });
    await h.cache.invalidate(['fs:*']);
    expect(ids(await search(h, 'heron'))).toEqual(['file:birds/heron.md']);

    unlinkSync(path.join(dirs.workspace, 'birds', 'heron.md'));
    await h.events.emit({ kind: 'delete', path: 'birds/heron.md' });
    await h.cache.invalidate(['fs:*']);
    expect((await search(h, 'heron')).results).toEqual([]);
  });

  it('moving and deleting folders updates everything beneath them', async () => {
    const h = await workspace({ 'dir/a.md': 'puffin one', 'dir/sub/b.md': 'puffin two', 'keep.md': 'puffin three' });
    expect(ids(await search(h, 'puffin'))).toHaveLength(3);
    renameSync(path.join(dirs.workspace, 'dir'), path.join(dirs.workspace, 'moved'));
    await h.events.emit({ kind: 'move', from: 'dir', to: 'moved' });
    await h.cache.invalidate(['fs:*']);
    expect(ids(await search(h, 'puffin')).sort()).toEqual(['file:keep.md', 'file:moved/a.md', 'file:moved/sub/b.md']);
    rmSync(path.join(dirs.workspace, 'moved'), { recursive: true });
    await h.events.emit({ kind: 'delete', path: 'moved', recursive: true });
    await h.cache.invalidate(['fs:*']);
    expect(ids(await search(h, 'puffin'))).toEqual(['file:keep.md']);
  });

  it('caches local results under fs:*, so a workspace write drops them', async () => {
    const h = await workspace({ 'a.md': 'tern' });
    await search(h, 'tern');
    expect((await h.callRaw('search', { query: 'tern' })).cached).toBe(true);
    expect((await h.callRaw('fetch', { id: 'file:a.md' })).cached).toBe(false);
    expect((await h.callRaw('fetch', { id: 'file:a.md' })).cached).toBe(true);
    await h.cache.invalidate(['fs:*']);
    expect((await h.callRaw('search', { query: 'tern' })).cached).toBe(false);
    expect((await h.callRaw('fetch', { id: 'file:a.md' })).cached).toBe(false);
  });
});

describe('local index: first build', () => {
  it('answers from a partial index with a note when the first build takes longer than SEARCH_INDEX_WAIT_MS', async () => {
    const files = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`d${i % 20}/f${i}.txt`, `skua ${i}`]));
    const h = await workspace(files, { SEARCH_INDEX_WAIT_MS: '0' });
    const partial = await search(h, 'skua', { limit: 50 });
    expect(partial.note).toMatch(/still being built/);
    expect(h.registry.byMcpName('search')!.validateOutput(partial)).toBe(true);
  });

  it('ready() answers while open and fails once closed', async () => {
    const h = await workspace({});
    await expect(h.module.ready!()).resolves.toBeUndefined();
    await h.module.close!();
    await expect(h.module.ready!()).rejects.toThrow();
  });
});

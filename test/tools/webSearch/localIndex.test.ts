import { rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildLocalIndex, LocalIndex } from '../../../src/tools/webSearch/index.js';
import { captureLogger, tempDirs, type TempDirs } from './helpers.js';

let dirs: TempDirs;
const open: LocalIndex[] = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const index of open.splice(0)) await index.close();
  dirs?.cleanup();
});

function fill(count: number): void {
  for (let i = 0; i < count; i++) dirs.write(`d${i % 10}/doc${i}.md`, `# Doc ${i}\n\nshearwater ${i}`);
}

async function build(options: { progressEvery?: number } = {}) {
  const { logger, lines } = captureLogger();
  const built = await buildLocalIndex({
    workspaceDir: dirs.workspace,
    dbPath: path.join(dirs.data, 'search-index.sqlite'),
    logger,
    ...options,
  });
  open.push(built.index);
  return { ...built, lines };
}

describe('LocalIndex scans', () => {
  it('indexes everything once, then only what changed', async () => {
    dirs = tempDirs();
    fill(30);
    const { index, stats } = await build();
    expect(stats).toMatchObject({ files: 30, indexed: 30, unchanged: 0, removed: 0 });
    expect(stats.docsPerSecond).toBeGreaterThan(0);

    expect(await index.scan()).toMatchObject({ files: 30, indexed: 0, unchanged: 30, removed: 0 });

    writeFileSync(path.join(dirs.workspace, 'd1/doc1.md'), 'changed text');
    unlinkSync(path.join(dirs.workspace, 'd2/doc2.md'));
    dirs.write('fresh.md', 'fresh shearwater');
    expect(await index.scan()).toMatchObject({ files: 30, indexed: 2, unchanged: 28, removed: 1 });
    expect(index.search('shearwater', 50).map((h) => h.path)).toContain('fresh.md');
    expect(index.search('shearwater', 50).map((h) => h.path)).not.toContain('d2/doc2.md');
  });

  it('notices a change that keeps the size but moves the modification time', async () => {
    dirs = tempDirs();
    const file = dirs.write('same.txt', 'aaaa');
    const { index } = await build();
    writeFileSync(file, 'bbbb');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(await index.scan()).toMatchObject({ indexed: 1 });
    expect(index.search('bbbb', 5)).toHaveLength(1);
  });

  it('persists in the data folder: a restart re-reads nothing that is unchanged', async () => {
    dirs = tempDirs();
    fill(20);
    const first = await build();
    await first.index.close();
    const second = await build();
    expect(second.stats).toMatchObject({ indexed: 0, unchanged: 20 });
    expect(second.index.search('shearwater', 50)).toHaveLength(20);
  });

  it('logs progress during a scan and documents per second at the end', async () => {
    dirs = tempDirs();
    fill(25);
    const { lines } = await build({ progressEvery: 10 });
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.filter((e) => e.message === 'search index: scanning workspace').map((e) => e.files)).toEqual([10, 20]);
    const done = entries.find((e) => e.message === 'search index: scan finished')!;
    expect(done).toMatchObject({ files: 25, indexed: 25, documents: 25 });
    expect(done.docsPerSecond).toEqual(expect.any(Number));
  });

  it('forgets everything when the workspace folder disappears', async () => {
    dirs = tempDirs();
    fill(5);
    const { index } = await build();
    rmSync(dirs.workspace, { recursive: true });
    expect(await index.scan()).toMatchObject({ removed: 5 });
    expect(index.documentCount()).toBe(0);
  });

  it("a file written through file_system during a scan is kept, though the scan's walk missed it", async () => {
    dirs = tempDirs();
    fill(300);
    let late: Promise<void> | undefined;
    // The first progress line comes after the walk has listed the workspace root: write then.
    const { logger } = captureLogger((line) => {
      if (late || !line.includes('scanning workspace')) return;
      dirs.write('late.md', 'petrel arrives during the scan');
      late = index.applyChange({ kind: 'write', path: 'late.md' });
    });
    const index = LocalIndex.open({ workspaceDir: dirs.workspace, dbPath: path.join(dirs.data, 'i.sqlite'), logger, progressEvery: 64 });
    open.push(index);
    const stats = await index.scan();
    await late;
    expect(stats.files).toBe(300); // the walk did not see late.md …
    expect(index.search('petrel', 5).map((h) => h.path)).toEqual(['late.md']); // … and did not remove it
  });

  it('the periodic rescan picks up changes made outside the server', async () => {
    dirs = tempDirs();
    const index = LocalIndex.open({
      workspaceDir: dirs.workspace,
      dbPath: path.join(dirs.data, 'i.sqlite'),
      logger: captureLogger().logger,
    });
    open.push(index);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    index.start(60_000);
    await index.waitForFirstScan(10_000);
    dirs.write('outside.md', 'guillemot written by another program');
    expect(index.search('guillemot', 5)).toEqual([]);
    vi.advanceTimersByTime(60_000);
    await index.scan(); // joins the scan the timer started
    expect(index.search('guillemot', 5).map((h) => h.path)).toEqual(['outside.md']);
  });

  it('close stops the timer and a scan in progress without errors', async () => {
    dirs = tempDirs();
    fill(200);
    const index = LocalIndex.open({
      workspaceDir: dirs.workspace,
      dbPath: path.join(dirs.data, 'i.sqlite'),
      logger: captureLogger().logger,
    });
    index.start(10);
    await index.close();
    await expect(index.waitForFirstScan(5000)).resolves.toBe(true);
    expect(() => index.ping()).toThrow(/closed/);
  });
});

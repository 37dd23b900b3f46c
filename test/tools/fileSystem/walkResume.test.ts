import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pacer } from '../../../src/core/pacer.js';
import { compileGlobs } from '../../../src/tools/fileSystem/globs.js';
import { walk } from '../../../src/tools/fileSystem/walk.js';
import { Workspace } from '../../../src/tools/fileSystem/workspace.js';

let dir: string;
let ws: Workspace;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'walk-resume-'));
  for (const rel of ['a/x.md', 'a/y/z.md', 'a b/c.md', 'b.md', 'c/d/e/f.md', 'c/d/g.md', 'C.md', 'zz.md']) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), rel);
  }
  mkdirSync(path.join(dir, 'empty'));
  symlinkSync('c', path.join(dir, 'link-to-c'));
  ws = await Workspace.open(dir);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function names(after?: string[]): Promise<string[]> {
  const out: string[] = [];
  const signal = new AbortController().signal;
  for await (const entry of walk(ws, ws.root, '/', {
    maxDepth: 64,
    exclude: compileGlobs([], 'exclude'),
    pacer: new Pacer(signal),
    signal,
    after,
  }))
    out.push(entry.rel);
  return out;
}

describe('walk resumed after an entry', () => {
  it('yields exactly what came after that entry in a full walk, from every position', async () => {
    const all = await names();
    expect(all).toContain('c/d/e/f.md');
    expect(all).not.toContain('link-to-c/d/g.md'); // links are reported, never entered
    for (let k = 0; k < all.length; k++) expect(await names(all[k]!.split('/')), `after ${all[k]}`).toEqual(all.slice(k + 1));
  });

  it('resumes by name when the entry is gone, or never existed', async () => {
    const all = await names();
    expect(await names(['a', 'x2.md'])).toEqual(all.slice(all.indexOf('a/y')));
    expect(await names(['c', 'a-missing-folder', 'deep.md'])).toEqual(all.slice(all.indexOf('c/d')));
    expect(await names(['zzz'])).toEqual([]);
    expect(await names(['0'])).toEqual(all);
  });
});

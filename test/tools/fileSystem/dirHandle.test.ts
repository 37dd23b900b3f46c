import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openVerifiedDir, procFdWorks } from '../../../src/tools/fileSystem/dirHandle.js';

let base: string;
let root: string;
let outside: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fs-dirhandle-')));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  mkdirSync(path.join(root, 'inner'), { recursive: true });
  mkdirSync(path.join(outside, 'deep'), { recursive: true });
  writeFileSync(path.join(outside, 'deep', 'secret.txt'), 'secret');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

// These model the race the path walk cannot rule out: a folder swapped for a link after it was
// checked. The descriptor is verified after opening, so the swap is caught.
describe.each([true, false])('openVerifiedDir (via /proc: %s)', (useProcFd) => {
  it('opens a real folder inside the root and reaches children through it', async () => {
    writeFileSync(path.join(root, 'inner', 'f.txt'), 'f');
    const dir = await openVerifiedDir(root, path.join(root, 'inner'), 'inner', useProcFd);
    try {
      expect(await fs.readFile(dir.child('f.txt'), 'utf8')).toBe('f');
    } finally {
      await dir.close();
    }
  });

  it('refuses when a parent folder was swapped for a link to outside', async () => {
    symlinkSync(outside, path.join(root, 'swapped'));
    await expect(openVerifiedDir(root, path.join(root, 'swapped', 'deep'), 'swapped/deep', useProcFd)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('refuses when the folder itself is a link', async () => {
    symlinkSync(path.join(root, 'inner'), path.join(root, 'link'));
    // O_DIRECTORY|O_NOFOLLOW on a link fails with ENOTDIR on Linux (ELOOP elsewhere).
    const error = await openVerifiedDir(root, path.join(root, 'link'), 'link', useProcFd).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(['ENOTDIR', 'ELOOP']).toContain(error?.code);
  });

  it('refuses a sibling folder that shares the root as a prefix', async () => {
    mkdirSync(`${root}-evil`);
    await expect(openVerifiedDir(root, `${root}-evil`, 'x', useProcFd)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

it('detects /proc/self/fd on Linux', async () => {
  expect(await procFdWorks(root)).toBe(process.platform === 'linux');
});

import { promises as fsp, readdirSync, readFileSync, writeFileSync, mkdtempSync, realpathSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { atomicWrite, type WriteHooks, type WriteStep } from '../../../src/tools/fileSystem/atomicWrite.js';
import { openVerifiedDir } from '../../../src/tools/fileSystem/dirHandle.js';
import { fsHarness, type FsHarness } from './helpers.js';

let t: FsHarness | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const fsError = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

/** Fails the first time the write reaches `step` (for 'write': once some bytes are already on disk). */
function failAt(step: WriteStep, error: Error): WriteHooks {
  let fired = false;
  return {
    beforeStep: (current, info) => {
      if (fired || current !== step) return;
      if (step === 'write' && info.bytesWritten === 0) return;
      fired = true;
      throw error;
    },
  };
}

const OLD = 'old content\n'.repeat(20_000); // ~240 KB: several chunks, so a mid-write failure is partial
const NEW = 'new content\n'.repeat(20_000);

describe.each(['write', 'sync', 'rename'] as WriteStep[])('a failure at the %s step', (step) => {
  it('a full disk leaves the old file whole, no temp file behind, and reports UNAVAILABLE', async () => {
    t = await fsHarness({}, { hooks: failAt(step, fsError('ENOSPC')) });
    writeFileSync(path.join(t.ws, 'data.txt'), OLD);
    const error = await t.fail('write_file', { path: 'data.txt', content: NEW });
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain('disk is full');
    expect(readFileSync(path.join(t.ws, 'data.txt'), 'utf8')).toBe(OLD);
    expect(readdirSync(t.ws)).toEqual(['data.txt']);
    expect(t.events).toEqual([]);
  });

  it('a crash (unexpected error) leaves the old file whole and no temp file', async () => {
    t = await fsHarness({}, { hooks: failAt(step, new Error('process died here')) });
    writeFileSync(path.join(t.ws, 'data.txt'), OLD);
    const error = await t.fail('edit_file', { path: 'data.txt', edits: [{ old_text: OLD, new_text: NEW }] });
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.message).not.toContain('process died');
    expect(readFileSync(path.join(t.ws, 'data.txt'), 'utf8')).toBe(OLD);
    expect(readdirSync(t.ws)).toEqual(['data.txt']);
  });

  it('a failed first write of a new file leaves no file at all', async () => {
    t = await fsHarness({}, { hooks: failAt(step, fsError('EDQUOT')) });
    expect((await t.fail('write_file', { path: 'fresh.txt', content: NEW })).code).toBe('UNAVAILABLE');
    expect(readdirSync(t.ws)).toEqual([]);
  });
});

describe('atomicWrite', () => {
  it('gives up before the rename when the call was cancelled, leaving nothing behind', async () => {
    const dirPath = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fs-atomic-')));
    try {
      writeFileSync(path.join(dirPath, 'f.txt'), 'old');
      const controller = new AbortController();
      const dir = await openVerifiedDir(dirPath, dirPath, 'f.txt', true);
      const hooks: WriteHooks = { beforeStep: (s) => void (s === 'sync' && controller.abort()) };
      await expect(atomicWrite(dir, 'f.txt', Buffer.from('new'), { signal: controller.signal, hooks })).rejects.toMatchObject({
        code: 'CANCELLED',
      });
      await dir.close();
      expect(readFileSync(path.join(dirPath, 'f.txt'), 'utf8')).toBe('old');
      expect(readdirSync(dirPath)).toEqual(['f.txt']);
    } finally {
      rmSync(dirPath, { recursive: true, force: true });
    }
  });
});

describe('concurrency', () => {
  const SIZE = 150_000; // larger than one write chunk, so a non-atomic write could be seen half-done
  const version = (i: number) => String.fromCharCode(65 + (i % 26)).repeat(SIZE);
  const isWhole = (s: string) => s.length === SIZE && s === s[0]!.repeat(SIZE);

  it('100 parallel writers and readers on one path never see a torn file', async () => {
    t = await fsHarness({ FS_CACHE_TTL_MS: '0' });
    const file = path.join(t.ws, 'shared.txt');
    writeFileSync(file, version(0));
    const seen: string[] = [];
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      jobs.push(t.call('write_file', { path: 'shared.txt', content: version(i) }));
      jobs.push(t.call('read_file', { path: 'shared.txt' }).then((r) => seen.push(r.content)));
      jobs.push(fsp.readFile(file, 'utf8').then((c) => seen.push(c)));
    }
    await Promise.all(jobs);
    expect(seen).toHaveLength(200);
    expect(seen.filter((s) => !isWhole(s))).toHaveLength(0);
    expect(isWhole(readFileSync(file, 'utf8'))).toBe(true);
    expect(readdirSync(t.ws)).toEqual(['shared.txt']);
  });

  it('two concurrent writes leave exactly one complete version', async () => {
    t = await fsHarness();
    await Promise.all([
      t.call('write_file', { path: 'two.txt', content: version(1) }),
      t.call('write_file', { path: 'two.txt', content: version(2) }),
    ]);
    expect([version(1), version(2)]).toContain(readFileSync(path.join(t.ws, 'two.txt'), 'utf8'));
  });

  it('concurrent edits of one file are serialised: no edit is lost', async () => {
    t = await fsHarness();
    const lines = Array.from({ length: 30 }, (_, i) => `item ${i}: todo`);
    writeFileSync(path.join(t.ws, 'list.txt'), `${lines.join('\n')}\n`);
    await Promise.all(
      lines.map((_, i) =>
        t!.call('edit_file', { path: 'list.txt', edits: [{ old_text: `item ${i}: todo`, new_text: `item ${i}: done` }] }),
      ),
    );
    const after = readFileSync(path.join(t.ws, 'list.txt'), 'utf8');
    expect(after).not.toContain('todo');
    expect(after.match(/done/g)).toHaveLength(30);
    expect(existsSync(path.join(t.ws, 'list.txt'))).toBe(true);
  });
});

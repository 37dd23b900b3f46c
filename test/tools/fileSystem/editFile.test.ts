import { applyPatch } from 'diff';
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { coarseDiff, unifiedDiff } from '../../../src/tools/fileSystem/diffText.js';
import { occurrences } from '../../../src/tools/fileSystem/textEdits.js';
import { fsHarness, type FsHarness } from './helpers.js';

let t: FsHarness;
beforeEach(async () => {
  t = await fsHarness();
});
afterEach(async () => t.close());

const file = () => path.join(t.ws, 'code.ts');

describe('edit_file', () => {
  it('applies exact replacements in order and returns a diff and the new etag', async () => {
    writeFileSync(file(), 'const a = 1;\nconst b = 2;\nconst c = 3;\n');
    const r = await t.call('edit_file', {
      path: 'code.ts',
      edits: [
        { old_text: 'const a = 1;', new_text: 'const a = 10;' },
        { old_text: 'const a = 10;\nconst b', new_text: 'const a = 10;\nlet b' },
      ],
    });
    expect(readFileSync(file(), 'utf8')).toBe('const a = 10;\nlet b = 2;\nconst c = 3;\n');
    expect(r).toMatchObject({ path: 'code.ts', dry_run: false, applied: 2, diff_truncated: false });
    expect(r.diff.startsWith('--- a/code.ts\n+++ b/code.ts\n@@ -1,3 +1,3 @@\n')).toBe(true);
    expect(r.diff).toContain('-const a = 1;\n');
    expect(r.diff).toContain('+let b = 2;\n');
    expect(r.etag).toBe((await t.call('read_file', { path: 'code.ts' })).etag);
    expect(t.events).toEqual([{ kind: 'write', path: 'code.ts' }]);
  });

  it('dry_run returns the diff and changes nothing', async () => {
    writeFileSync(file(), 'x = 1\n');
    const before = await t.call('read_file', { path: 'code.ts' });
    const r = await t.call('edit_file', { path: 'code.ts', edits: [{ old_text: 'x = 1', new_text: 'x = 2' }], dry_run: true });
    expect(r).toMatchObject({ dry_run: true, etag: before.etag });
    expect(r.diff).toContain('+x = 2');
    expect(readFileSync(file(), 'utf8')).toBe('x = 1\n');
    expect(t.events).toEqual([]);
  });

  it('refuses when old_text is missing or not unique, and then writes nothing at all', async () => {
    writeFileSync(file(), 'a\na\nb\n');
    const missing = await t.fail('edit_file', {
      path: 'code.ts',
      edits: [
        { old_text: 'b', new_text: 'B' },
        { old_text: 'zzz', new_text: 'y' },
      ],
    });
    expect(missing.code).toBe('INVALID_PARAMS');
    expect(missing.message).toMatch(/Edit 2 of 2.*not found/);
    const twice = await t.fail('edit_file', { path: 'code.ts', edits: [{ old_text: 'a\n', new_text: 'A\n' }] });
    expect(twice.message).toContain('occurs 2 times');
    expect(readFileSync(file(), 'utf8')).toBe('a\na\nb\n');
  });

  it('counts overlapping matches, so "exactly once" is strict', async () => {
    writeFileSync(file(), 'aaa');
    expect((await t.fail('edit_file', { path: 'code.ts', edits: [{ old_text: 'aa', new_text: 'b' }] })).message).toContain(
      'occurs 2 times',
    );
  });

  it('matches LF edits against CRLF files and keeps CRLF', async () => {
    writeFileSync(file(), 'one\r\ntwo\r\nthree\r\n');
    await t.call('edit_file', { path: 'code.ts', edits: [{ old_text: 'one\ntwo', new_text: 'uno\ndos' }] });
    expect(readFileSync(file(), 'utf8')).toBe('uno\r\ndos\r\nthree\r\n');
  });

  it('honours if_match', async () => {
    writeFileSync(file(), 'v1');
    const { etag } = await t.call('read_file', { path: 'code.ts' });
    writeFileSync(file(), 'v2');
    expect((await t.fail('edit_file', { path: 'code.ts', if_match: etag, edits: [{ old_text: 'v2', new_text: 'v3' }] })).code).toBe(
      'CONFLICT',
    );
    expect(readFileSync(file(), 'utf8')).toBe('v2');
  });

  it('refuses binary files, missing files and folders', async () => {
    writeFileSync(path.join(t.ws, 'bin'), Buffer.from([0xff, 0xfe, 0x00]));
    expect((await t.fail('edit_file', { path: 'bin', edits: [{ old_text: 'a', new_text: 'b' }] })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('edit_file', { path: 'nope.ts', edits: [{ old_text: 'a', new_text: 'b' }] })).code).toBe('NOT_FOUND');
    expect((await t.fail('edit_file', { path: '/', edits: [{ old_text: 'a', new_text: 'b' }] })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('edit_file', { path: 'code.ts', edits: [] })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('edit_file', { path: 'code.ts', edits: [{ old_text: '', new_text: 'b' }] })).code).toBe('INVALID_PARAMS');
  });

  it('stays fast on a rewrite of a large periodic file (no quadratic match or diff)', async () => {
    const old = 'old content\n'.repeat(20_000);
    writeFileSync(file(), old);
    const started = Date.now();
    const r = await t.call('edit_file', { path: 'code.ts', edits: [{ old_text: old, new_text: 'new content\n'.repeat(20_000) }] });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(applyPatch(old, r.diff)).toBe(readFileSync(file(), 'utf8'));
  });
});

describe('diffs', () => {
  const lines = fc.array(fc.constantFrom('a\n', 'b\n', 'c\n', 'd', '\n', 'é\n'), { maxLength: 12 }).map((l) => l.join(''));

  it('both the exact and the coarse diff apply back to the new text (property)', () => {
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        fc.pre(a !== b);
        expect(applyPatch(a, unifiedDiff('f', a, b))).toBe(b);
        expect(applyPatch(a, coarseDiff('a/f', 'b/f', a, b))).toBe(b);
      }),
      { numRuns: 300 },
    );
  });

  it('finds every overlapping occurrence in linear time', () => {
    expect(occurrences('aaaa', 'aa')).toEqual([0, 1, 2]);
    expect(occurrences('abcabc', 'abc')).toEqual([0, 3]);
    expect(occurrences('abc', 'x')).toEqual([]);
    const big = 'ab'.repeat(200_000);
    expect(occurrences(big, big.slice(0, 200_000), 5)).toHaveLength(5);
  });
});

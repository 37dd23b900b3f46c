import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsHarness, type FsHarness } from './helpers.js';

let t: FsHarness;
beforeEach(async () => {
  t = await fsHarness({ FS_MAX_READ_BYTES: '1000', FS_MAX_WRITE_BYTES: '2000' });
});
afterEach(async () => t.close());

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

describe('read_file', () => {
  it('returns content, size, line count, modified time and a sha256 etag', async () => {
    writeFileSync(path.join(t.ws, 'a.txt'), 'one\ntwo\nthree\n');
    const r = await t.call('read_file', { path: 'a.txt' });
    expect(r).toMatchObject({
      path: 'a.txt',
      encoding: 'utf8',
      content: 'one\ntwo\nthree\n',
      size: 14,
      total_lines: 3,
      start_line: 1,
      end_line: 3,
      truncated: false,
    });
    expect(r.etag).toBe(sha('one\ntwo\nthree\n'));
    expect(new Date(r.modified).getTime()).toBe(statSync(path.join(t.ws, 'a.txt')).mtime.getTime());
  });

  it('reads exact bytes, keeping CRLF and a missing final newline', async () => {
    writeFileSync(path.join(t.ws, 'crlf.txt'), 'a\r\nb');
    const r = await t.call('read_file', { path: '/crlf.txt' });
    expect(r.content).toBe('a\r\nb');
    expect(r.total_lines).toBe(2);
  });

  it('slices by offset/limit, head and tail', async () => {
    writeFileSync(path.join(t.ws, 'n.txt'), Array.from({ length: 10 }, (_, i) => `L${i + 1}\n`).join(''));
    expect(await t.call('read_file', { path: 'n.txt', offset: 2, limit: 3 })).toMatchObject({
      content: 'L3\nL4\nL5\n',
      start_line: 3,
      end_line: 5,
      total_lines: 10,
      truncated: false,
    });
    expect(await t.call('read_file', { path: 'n.txt', head: 2 })).toMatchObject({ content: 'L1\nL2\n', start_line: 1, end_line: 2 });
    expect(await t.call('read_file', { path: 'n.txt', tail: 2 })).toMatchObject({ content: 'L9\nL10\n', start_line: 9, end_line: 10 });
    expect(await t.call('read_file', { path: 'n.txt', offset: 50 })).toMatchObject({
      content: '',
      start_line: 51,
      end_line: 50,
      truncated: false,
    });
    expect(await t.call('read_file', { path: 'n.txt', tail: 50 })).toMatchObject({ start_line: 1, end_line: 10 });
  });

  it('refuses conflicting slice parameters', async () => {
    writeFileSync(path.join(t.ws, 'n.txt'), 'x\n');
    expect((await t.fail('read_file', { path: 'n.txt', head: 1, tail: 1 })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('read_file', { path: 'n.txt', offset: 1, tail: 1 })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('read_file', { path: 'n.txt', head: 1, encoding: 'base64' })).code).toBe('INVALID_PARAMS');
  });

  it('refuses a file over FS_MAX_READ_BYTES and says how to read a part, which then works', async () => {
    const big = Array.from({ length: 300 }, (_, i) => `line ${i}\n`).join('');
    writeFileSync(path.join(t.ws, 'big.txt'), big);
    const error = await t.fail('read_file', { path: 'big.txt' });
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.message).toMatch(/head.*tail.*offset.*limit/s);
    const part = await t.call('read_file', { path: 'big.txt', tail: 3 });
    expect(part).toMatchObject({ content: 'line 297\nline 298\nline 299\n', total_lines: 300, truncated: false });
    expect(part.etag).toBe(sha(big)); // the etag always covers the whole file
  });

  it('caps the bytes a slice returns and says so with truncated: true', async () => {
    writeFileSync(path.join(t.ws, 'big.txt'), Array.from({ length: 300 }, (_, i) => `line ${String(i).padStart(3, '0')}\n`).join(''));
    const r = await t.call('read_file', { path: 'big.txt', offset: 0, limit: 300 });
    expect(r.truncated).toBe(true);
    expect(Buffer.byteLength(r.content)).toBeLessThanOrEqual(1000);
    expect(r.start_line).toBe(1);
    expect(r.content.startsWith('line 000\n')).toBe(true);
    const tail = await t.call('read_file', { path: 'big.txt', tail: 300 });
    expect(tail.truncated).toBe(true);
    expect(Buffer.byteLength(tail.content)).toBeLessThanOrEqual(1000);
    expect(tail.content.endsWith('line 299\n')).toBe(true);
    expect(tail.end_line).toBe(300);
  });

  it('cuts one over-long line at a character boundary', async () => {
    writeFileSync(path.join(t.ws, 'long.txt'), 'é'.repeat(2000));
    const r = await t.call('read_file', { path: 'long.txt', head: 1 });
    expect(r.truncated).toBe(true);
    expect(r.content).toBe('é'.repeat(500));
  });

  it('refuses binary files as text and returns them as base64 when asked', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    writeFileSync(path.join(t.ws, 'img.png'), bytes);
    const error = await t.fail('read_file', { path: 'img.png' });
    expect(error.code).toBe('INVALID_PARAMS');
    expect(error.message).toContain('base64');
    const r = await t.call('read_file', { path: 'img.png', encoding: 'base64' });
    expect(Buffer.from(r.content, 'base64')).toEqual(bytes);
    expect(r.etag).toBe(sha(bytes));
    writeFileSync(path.join(t.ws, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9])); // invalid UTF-8, no NUL
    expect((await t.fail('read_file', { path: 'latin1.txt' })).code).toBe('INVALID_PARAMS');
  });

  it('gives NOT_FOUND for a missing file and INVALID_PARAMS for a folder', async () => {
    const missing = await t.fail('read_file', { path: 'nope/missing.txt' });
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('"nope/missing.txt"');
    mkdirSync(path.join(t.ws, 'dir'));
    expect((await t.fail('read_file', { path: 'dir' })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('read_file', { path: '/' })).code).toBe('INVALID_PARAMS');
  });
});

describe('read_multiple_files', () => {
  it('returns each file or its own error; one failure does not fail the others', async () => {
    writeFileSync(path.join(t.ws, 'a.txt'), 'A');
    writeFileSync(path.join(t.ws, 'b.txt'), 'B');
    const r = await t.call('read_multiple_files', { paths: ['a.txt', 'missing.txt', '../escape', 'b.txt'] });
    expect(r.truncated).toBe(false);
    expect(r.files.map((f: any) => [f.path, f.ok, f.content ?? f.error.code])).toEqual([
      ['a.txt', true, 'A'],
      ['missing.txt', false, 'NOT_FOUND'],
      ['../escape', false, 'FORBIDDEN'],
      ['b.txt', true, 'B'],
    ]);
  });

  it('keeps the combined content under the read cap and reports truncated', async () => {
    for (const name of ['a', 'b', 'c']) writeFileSync(path.join(t.ws, `${name}.txt`), name.repeat(400));
    const r = await t.call('read_multiple_files', { paths: ['a.txt', 'b.txt', 'c.txt'] });
    expect(r.truncated).toBe(true);
    expect(r.files.map((f: any) => f.ok)).toEqual([true, true, false]);
    expect(r.files[2].error.message).toContain('read_file');
  });

  it('refuses more paths than FS_MAX_MULTI_READ', async () => {
    const local = await fsHarness({ FS_MAX_MULTI_READ: '2' });
    try {
      expect((await local.fail('read_multiple_files', { paths: ['a', 'b', 'c'] })).code).toBe('INVALID_PARAMS');
    } finally {
      await local.close();
    }
  });
});

describe('write_file', () => {
  it('creates and replaces files, returning size, etag and created', async () => {
    const first = await t.call('write_file', { path: 'notes/../a.txt', content: 'hello' });
    expect(first).toMatchObject({ path: 'a.txt', size: 5, etag: sha('hello'), created: true });
    const second = await t.call('write_file', { path: 'a.txt', content: 'héllo' });
    expect(second).toMatchObject({ size: 6, created: false });
    expect(readFileSync(path.join(t.ws, 'a.txt'), 'utf8')).toBe('héllo');
  });

  it('writes base64 content as bytes and refuses invalid base64', async () => {
    await t.call('write_file', { path: 'b.bin', content: Buffer.from([0, 1, 2, 255]).toString('base64'), encoding: 'base64' });
    expect(readFileSync(path.join(t.ws, 'b.bin'))).toEqual(Buffer.from([0, 1, 2, 255]));
    expect((await t.fail('write_file', { path: 'c.bin', content: 'not base64!', encoding: 'base64' })).code).toBe('INVALID_PARAMS');
  });

  it('needs create_parents for missing folders', async () => {
    const error = await t.fail('write_file', { path: 'x/y/z.txt', content: 'z' });
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('create_parents');
    expect(existsSync(path.join(t.ws, 'x'))).toBe(false);
    await t.call('write_file', { path: 'x/y/z.txt', content: 'z', create_parents: true });
    expect(readFileSync(path.join(t.ws, 'x/y/z.txt'), 'utf8')).toBe('z');
    expect(t.events).toEqual([
      { kind: 'mkdir', path: 'x' },
      { kind: 'mkdir', path: 'x/y' },
      { kind: 'write', path: 'x/y/z.txt' },
    ]);
  });

  it('refuses content over FS_MAX_WRITE_BYTES and writes nothing', async () => {
    const error = await t.fail('write_file', { path: 'big.txt', content: 'x'.repeat(2001) });
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(existsSync(path.join(t.ws, 'big.txt'))).toBe(false);
  });

  it('if_match: a current etag writes, a stale one is a CONFLICT and writes nothing', async () => {
    writeFileSync(path.join(t.ws, 'doc.md'), 'v1');
    const { etag } = await t.call('read_file', { path: 'doc.md' });
    const ok = await t.call('write_file', { path: 'doc.md', content: 'v2', if_match: etag });
    const stale = await t.fail('write_file', { path: 'doc.md', content: 'v3', if_match: etag });
    expect(stale.code).toBe('CONFLICT');
    expect(readFileSync(path.join(t.ws, 'doc.md'), 'utf8')).toBe('v2');
    await t.call('write_file', { path: 'doc.md', content: 'v3', if_match: `"${ok.etag}"` }); // quoted etags are accepted
    expect((await t.fail('write_file', { path: 'new.md', content: 'x', if_match: etag })).code).toBe('CONFLICT');
    expect(existsSync(path.join(t.ws, 'new.md'))).toBe(false);
  });

  it('if_match is atomic: of many writers holding the same etag exactly one wins', async () => {
    writeFileSync(path.join(t.ws, 'race.txt'), 'start');
    const { etag } = await t.call('read_file', { path: 'race.txt' });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => t.h.call('write_file', { path: 'race.txt', content: `writer ${i}`, if_match: etag })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  });

  it('keeps the permissions of the file it replaces', async () => {
    writeFileSync(path.join(t.ws, 'script.sh'), 'echo 1');
    chmodSync(path.join(t.ws, 'script.sh'), 0o750);
    await t.call('write_file', { path: 'script.sh', content: 'echo 2' });
    expect(statSync(path.join(t.ws, 'script.sh')).mode & 0o777).toBe(0o750);
  });

  it('refuses to write over a folder or the root', async () => {
    mkdirSync(path.join(t.ws, 'dir'));
    expect((await t.fail('write_file', { path: 'dir', content: 'x' })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('write_file', { path: '/', content: 'x' })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('write_file', { path: 'dir.txt/child', content: 'x' })).code).toBe('NOT_FOUND');
    writeFileSync(path.join(t.ws, 'file.txt'), 'f');
    expect((await t.fail('write_file', { path: 'file.txt/child', content: 'x', create_parents: true })).code).toBe('INVALID_PARAMS');
  });
});

describe('caching', () => {
  it('a read after any write sees the write (cached reads are invalidated)', async () => {
    await t.call('write_file', { path: 'c.txt', content: 'one' });
    expect((await t.call('read_file', { path: 'c.txt' })).content).toBe('one');
    expect((await t.h.callRaw('read_file', { path: 'c.txt' })).cached).toBe(true);
    await t.call('write_file', { path: 'c.txt', content: 'two' });
    expect((await t.call('read_file', { path: 'c.txt' })).content).toBe('two');
    await t.call('edit_file', { path: 'c.txt', edits: [{ old_text: 'two', new_text: 'three' }] });
    expect((await t.call('read_file', { path: 'c.txt' })).content).toBe('three');
    await t.call('move_file', { source: 'c.txt', destination: 'd.txt' });
    expect((await t.fail('read_file', { path: 'c.txt' })).code).toBe('NOT_FOUND');
    await t.call('write_file', { path: 'c.txt', content: 'again' });
    expect((await t.call('read_file', { path: 'c.txt' })).content).toBe('again');
    await t.call('delete_file', { path: 'c.txt' });
    expect((await t.fail('read_file', { path: 'c.txt' })).code).toBe('NOT_FOUND');
  });

  it('a write through a linked folder invalidates a read of the real path', async () => {
    mkdirSync(path.join(t.ws, 'real'));
    writeFileSync(path.join(t.ws, 'real/f.txt'), 'old');
    (await import('node:fs')).symlinkSync('real', path.join(t.ws, 'alias'));
    expect((await t.call('read_file', { path: 'real/f.txt' })).content).toBe('old');
    await t.call('write_file', { path: 'alias/f.txt', content: 'new' });
    expect((await t.call('read_file', { path: 'real/f.txt' })).content).toBe('new');
    expect(t.events.at(-1)).toEqual({ kind: 'write', path: 'real/f.txt' });
  });
});

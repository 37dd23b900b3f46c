import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsHarness, type FsHarness } from './helpers.js';

let t: FsHarness;
let secret: string;
beforeEach(async () => {
  t = await fsHarness();
  secret = path.join(t.outside, 'secret.txt');
  writeFileSync(secret, 'TOP SECRET');
});
afterEach(async () => t.close());

const link = (target: string, at: string) => symlinkSync(target, path.join(t.ws, at));
const outsideUntouched = () => {
  expect(readFileSync(secret, 'utf8')).toBe('TOP SECRET');
  expect(readdirSync(t.outside)).toEqual(['secret.txt']);
};

describe('paths the caller types', () => {
  it('refuses .. out of the root, in every spelling', async () => {
    for (const p of [
      '../outside/secret.txt',
      'a/../../outside/secret.txt',
      '/../outside/secret.txt',
      '..\\outside\\secret.txt',
      'a\\..\\..\\outside\\secret.txt',
    ]) {
      expect((await t.fail('read_file', { path: p })).code, p).toBe('FORBIDDEN');
      expect((await t.fail('write_file', { path: p, content: 'pwned' })).code, p).toBe('FORBIDDEN');
    }
    outsideUntouched();
  });

  it('maps absolute paths into the workspace: /etc/passwd is <workspace>/etc/passwd', async () => {
    const read = await t.fail('read_file', { path: '/etc/passwd' });
    expect(read.code).toBe('NOT_FOUND');
    expect(read.message).toContain('"/etc/passwd"');
    await t.call('write_file', { path: secret, content: 'pwned', create_parents: true });
    outsideUntouched();
    expect(readFileSync(path.join(t.ws, secret), 'utf8')).toBe('pwned');
  });

  it('refuses the /root-evil sibling that shares the root as a prefix', async () => {
    const evil = `${t.ws}-evil`;
    mkdirSync(evil);
    writeFileSync(path.join(evil, 'x.txt'), 'evil');
    const sibling = `../${path.basename(evil)}/x.txt`;
    expect((await t.fail('read_file', { path: sibling })).code).toBe('FORBIDDEN');
    link(evil, 'evil-link');
    expect((await t.fail('read_file', { path: 'evil-link/x.txt' })).code).toBe('FORBIDDEN');
    expect((await t.fail('write_file', { path: 'evil-link/y.txt', content: 'x' })).code).toBe('FORBIDDEN');
    expect(readdirSync(evil)).toEqual(['x.txt']);
  });

  it('treats percent-encoded traversal literally, inside the workspace', async () => {
    await t.call('write_file', { path: '%2e%2e/%2e%2e/outside/secret.txt', content: 'literal', create_parents: true });
    expect(readFileSync(path.join(t.ws, '%2e%2e/%2e%2e/outside/secret.txt'), 'utf8')).toBe('literal');
    expect((await t.fail('read_file', { path: '..%2foutside%2fsecret.txt' })).code).toBe('NOT_FOUND');
    outsideUntouched();
  });

  it('refuses NUL bytes and ~', async () => {
    writeFileSync(path.join(t.ws, 'a.txt'), 'a');
    expect((await t.fail('read_file', { path: 'a.txt\0.png' })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('write_file', { path: 'b.txt\0', content: 'x' })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('read_file', { path: '~/.ssh/id_rsa' })).code).toBe('FORBIDDEN');
    expect((await t.fail('list_directory', { path: '~' })).code).toBe('FORBIDDEN');
  });
});

describe('symbolic links never lead out of the root', () => {
  it('a link to an outside file: reads, writes and edits fail; outside is untouched', async () => {
    link(secret, 'leak.txt');
    expect((await t.fail('read_file', { path: 'leak.txt' })).code).toBe('FORBIDDEN');
    expect((await t.fail('read_file', { path: 'leak.txt', encoding: 'base64' })).code).toBe('FORBIDDEN');
    expect((await t.call('read_multiple_files', { paths: ['leak.txt'] })).files[0].error.code).toBe('FORBIDDEN');
    expect((await t.fail('write_file', { path: 'leak.txt', content: 'pwned' })).code).toBe('FORBIDDEN');
    expect((await t.fail('edit_file', { path: 'leak.txt', edits: [{ old_text: 'TOP', new_text: 'NOT' }] })).code).toBe('FORBIDDEN');
    outsideUntouched();
  });

  it('a relative link that climbs out is refused too', async () => {
    mkdirSync(path.join(t.ws, 'sub'));
    link('../../outside/secret.txt', 'sub/up.txt');
    link('../../outside', 'sub/updir');
    expect((await t.fail('read_file', { path: 'sub/up.txt' })).code).toBe('FORBIDDEN');
    expect((await t.fail('read_file', { path: 'sub/updir/secret.txt' })).code).toBe('FORBIDDEN');
    expect((await t.fail('write_file', { path: 'sub/updir/new.txt', content: 'x' })).code).toBe('FORBIDDEN');
    outsideUntouched();
  });

  it('a link to an outside folder: nothing below it can be read, listed, created, moved or deleted', async () => {
    link(t.outside, 'out');
    expect((await t.fail('read_file', { path: 'out/secret.txt' })).code).toBe('FORBIDDEN');
    expect((await t.fail('list_directory', { path: 'out' })).code).toBe('FORBIDDEN');
    expect((await t.fail('directory_tree', { path: 'out' })).code).toBe('FORBIDDEN');
    expect((await t.fail('search_files', { path: 'out', pattern: '*' })).code).toBe('FORBIDDEN');
    expect((await t.fail('get_file_info', { path: 'out/secret.txt' })).code).toBe('FORBIDDEN');
    expect((await t.fail('write_file', { path: 'out/new.txt', content: 'x' })).code).toBe('FORBIDDEN');
    expect((await t.fail('write_file', { path: 'out/deep/new.txt', content: 'x', create_parents: true })).code).toBe('FORBIDDEN');
    expect((await t.fail('create_directory', { path: 'out/newdir' })).code).toBe('FORBIDDEN');
    expect((await t.fail('delete_file', { path: 'out/secret.txt' })).code).toBe('FORBIDDEN');
    expect((await t.fail('move_file', { source: 'out/secret.txt', destination: 'stolen.txt' })).code).toBe('FORBIDDEN');
    writeFileSync(path.join(t.ws, 'mine.txt'), 'mine');
    expect((await t.fail('move_file', { source: 'mine.txt', destination: 'out/mine.txt' })).code).toBe('FORBIDDEN');
    expect((await t.fail('edit_file', { path: 'out/secret.txt', edits: [{ old_text: 'TOP', new_text: 'x' }] })).code).toBe('FORBIDDEN');
    outsideUntouched();
  });

  it('a link as a parent folder of a new file, several levels up, is not followed', async () => {
    mkdirSync(path.join(t.ws, 'a'));
    link(t.outside, 'a/b');
    expect((await t.fail('write_file', { path: 'a/b/c/d.txt', content: 'x', create_parents: true })).code).toBe('FORBIDDEN');
    expect((await t.fail('create_directory', { path: 'a/b/c/d' })).code).toBe('FORBIDDEN');
    outsideUntouched();
  });

  it('a dangling link pointing outside: the read is refused (not "not found") and the write creates nothing', async () => {
    const target = path.join(t.outside, 'created-by-attack.txt');
    link(target, 'dangling.txt');
    expect((await t.fail('read_file', { path: 'dangling.txt' })).code).toBe('FORBIDDEN');
    expect((await t.fail('write_file', { path: 'dangling.txt', content: 'x' })).code).toBe('FORBIDDEN');
    expect((await t.fail('edit_file', { path: 'dangling.txt', edits: [{ old_text: 'a', new_text: 'b' }] })).code).toBe('FORBIDDEN');
    expect((await t.fail('create_directory', { path: 'dangling.txt' })).code).toBe('CONFLICT');
    link(path.join(t.outside, 'newdir'), 'dangling-dir');
    expect((await t.fail('write_file', { path: 'dangling-dir/f.txt', content: 'x', create_parents: true })).code).toBe('FORBIDDEN');
    expect(existsSync(target)).toBe(false);
    outsideUntouched();
  });

  it('a dangling link inside the workspace is never written through', async () => {
    link('missing.txt', 'inner-dangling.txt');
    expect((await t.fail('read_file', { path: 'inner-dangling.txt' })).code).toBe('NOT_FOUND');
    expect((await t.fail('write_file', { path: 'inner-dangling.txt', content: 'x' })).code).toBe('FORBIDDEN');
    link('missing-dir', 'dangling-parent');
    expect((await t.fail('write_file', { path: 'dangling-parent/f.txt', content: 'x', create_parents: true })).code).toBe('NOT_FOUND');
    expect(existsSync(path.join(t.ws, 'missing.txt'))).toBe(false);
    expect(existsSync(path.join(t.ws, 'missing-dir'))).toBe(false);
  });

  it('chains of links are followed hop by hop; a chain ending outside is refused', async () => {
    link(t.outside, 'hop2');
    link('hop2', 'hop1');
    expect((await t.fail('read_file', { path: 'hop1/secret.txt' })).code).toBe('FORBIDDEN');
    link(path.join(t.ws, 'hop1'), 'hop0-abs'); // absolute link back into the root, then out
    expect((await t.fail('read_file', { path: 'hop0-abs/secret.txt' })).code).toBe('FORBIDDEN');
  });

  it('link loops end with an error instead of hanging', async () => {
    link('loop2', 'loop1');
    link('loop1', 'loop2');
    expect((await t.fail('read_file', { path: 'loop1' })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('write_file', { path: 'loop1/x', content: 'x' })).code).toBe('INVALID_PARAMS');
  });

  it('links that stay inside are followed for reads but never written through', async () => {
    mkdirSync(path.join(t.ws, 'docs'));
    writeFileSync(path.join(t.ws, 'docs/real.txt'), 'real');
    link('docs/real.txt', 'alias.txt');
    link(path.join(t.ws, 'docs'), 'docs-abs');
    expect((await t.call('read_file', { path: 'alias.txt' })).content).toBe('real');
    expect((await t.call('read_file', { path: 'docs-abs/real.txt' })).content).toBe('real');
    const refused = await t.fail('write_file', { path: 'alias.txt', content: 'changed' });
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.message).toContain('symbolic link');
    expect(readFileSync(path.join(t.ws, 'docs/real.txt'), 'utf8')).toBe('real');
    expect(lstatSync(path.join(t.ws, 'alias.txt')).isSymbolicLink()).toBe(true);
  });

  it('get_file_info describes links without revealing where outside they point', async () => {
    link(secret, 'leak.txt');
    link('docs', 'inner');
    mkdirSync(path.join(t.ws, 'docs'));
    link('nowhere', 'broken');
    const leak = await t.call('get_file_info', { path: 'leak.txt' });
    expect(leak).toMatchObject({ type: 'symlink', link_status: 'outside' });
    expect(JSON.stringify(leak)).not.toContain(t.outside);
    expect(await t.call('get_file_info', { path: 'inner' })).toMatchObject({ link_status: 'inside', link_target: 'docs' });
    expect(await t.call('get_file_info', { path: 'broken' })).toMatchObject({ link_status: 'broken' });
  });

  it('deleting a link removes the link only, and recursive deletes never descend through links', async () => {
    link(secret, 'leak.txt');
    await t.call('delete_file', { path: 'leak.txt' });
    mkdirSync(path.join(t.ws, 'folder'));
    link(t.outside, 'folder/out');
    await t.call('delete_file', { path: 'folder', recursive: true });
    expect(existsSync(path.join(t.ws, 'folder'))).toBe(false);
    outsideUntouched();
  });

  it('listing, tree and search show links but never enter them', async () => {
    link(t.outside, 'out');
    const list = await t.call('list_directory', { path: '/' });
    expect(list.entries).toEqual([expect.objectContaining({ name: 'out', type: 'symlink' })]);
    const tree = await t.call('directory_tree', { path: '/' });
    expect(tree.entries).toEqual([{ path: 'out', type: 'symlink', depth: 1 }]);
    const search = await t.call('search_files', { pattern: '**/secret*' });
    expect(search.matches).toEqual([]);
  });

  it('move_file of a link keeps it a link; overwrite replaces a link without writing through it', async () => {
    link(secret, 'leak.txt');
    writeFileSync(path.join(t.ws, 'mine.txt'), 'mine');
    await t.call('move_file', { source: 'mine.txt', destination: 'leak.txt', overwrite: true });
    expect(readFileSync(path.join(t.ws, 'leak.txt'), 'utf8')).toBe('mine');
    expect(lstatSync(path.join(t.ws, 'leak.txt')).isFile()).toBe(true);
    outsideUntouched();
  });
});

describe('error messages', () => {
  it('name the path as given and never the server root', async () => {
    // t.fail checks every message for the absolute workspace path; collect a broad sample.
    link(t.outside, 'out');
    const samples = [
      await t.fail('read_file', { path: 'missing.txt' }),
      await t.fail('read_file', { path: 'out/secret.txt' }),
      await t.fail('write_file', { path: '../x', content: '' }),
      await t.fail('list_directory', { path: 'nope' }),
      await t.fail('delete_file', { path: 'nope' }),
      await t.fail('move_file', { source: 'nope', destination: 'b' }),
    ];
    expect(samples[0].message).toContain('"missing.txt"');
    expect(samples[1].message).toContain('"out/secret.txt"');
    for (const s of samples) expect(s.message).not.toMatch(/\/tmp\//);
  });
});

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsHarness, type FsHarness } from './helpers.js';

let t: FsHarness;
beforeEach(async () => {
  t = await fsHarness();
});
afterEach(async () => t.close());

describe('get_file_info', () => {
  it('describes files and folders without reading them', async () => {
    writeFileSync(path.join(t.ws, 'f.txt'), 'hello');
    chmodSync(path.join(t.ws, 'f.txt'), 0o640);
    expect(await t.call('get_file_info', { path: 'f.txt' })).toMatchObject({ path: 'f.txt', type: 'file', size: 5, permissions: '640' });
    expect(await t.call('get_file_info', { path: '/' })).toMatchObject({ path: '', type: 'directory' });
    expect((await t.fail('get_file_info', { path: 'nope' })).code).toBe('NOT_FOUND');
  });
});

describe('create_directory', () => {
  it('creates nested folders, is idempotent, and refuses a file in the way', async () => {
    expect(await t.call('create_directory', { path: 'a/b/c' })).toEqual({ path: 'a/b/c', created: true });
    expect(statSync(path.join(t.ws, 'a/b/c')).isDirectory()).toBe(true);
    expect(t.events).toEqual([
      { kind: 'mkdir', path: 'a' },
      { kind: 'mkdir', path: 'a/b' },
      { kind: 'mkdir', path: 'a/b/c' },
    ]);
    expect(await t.call('create_directory', { path: 'a/b/c' })).toEqual({ path: 'a/b/c', created: false });
    expect(await t.call('create_directory', { path: '/' })).toEqual({ path: '', created: false });
    writeFileSync(path.join(t.ws, 'file'), 'x');
    expect((await t.fail('create_directory', { path: 'file' })).code).toBe('CONFLICT');
    expect((await t.fail('create_directory', { path: 'file/sub' })).code).toBe('INVALID_PARAMS');
  });
});

describe('move_file', () => {
  it('renames files and folders and emits a move event', async () => {
    writeFileSync(path.join(t.ws, 'a.txt'), 'A');
    mkdirSync(path.join(t.ws, 'docs'));
    expect(await t.call('move_file', { source: 'a.txt', destination: 'docs/b.txt' })).toEqual({
      source: 'a.txt',
      destination: 'docs/b.txt',
      overwritten: false,
    });
    expect(readFileSync(path.join(t.ws, 'docs/b.txt'), 'utf8')).toBe('A');
    await t.call('move_file', { source: 'docs', destination: 'papers' });
    expect(existsSync(path.join(t.ws, 'papers/b.txt'))).toBe(true);
    expect(t.events).toEqual([
      { kind: 'move', from: 'a.txt', to: 'docs/b.txt' },
      { kind: 'move', from: 'docs', to: 'papers' },
    ]);
  });

  it('refuses to overwrite unless overwrite: true, and never replaces a folder', async () => {
    writeFileSync(path.join(t.ws, 'a.txt'), 'A');
    writeFileSync(path.join(t.ws, 'b.txt'), 'B');
    const conflict = await t.fail('move_file', { source: 'a.txt', destination: 'b.txt' });
    expect(conflict.code).toBe('CONFLICT');
    expect(conflict.message).toContain('overwrite');
    expect(readFileSync(path.join(t.ws, 'b.txt'), 'utf8')).toBe('B');
    expect(await t.call('move_file', { source: 'a.txt', destination: 'b.txt', overwrite: true })).toMatchObject({ overwritten: true });
    expect(readFileSync(path.join(t.ws, 'b.txt'), 'utf8')).toBe('A');
    mkdirSync(path.join(t.ws, 'dir'));
    expect((await t.fail('move_file', { source: 'b.txt', destination: 'dir', overwrite: true })).code).toBe('CONFLICT');
  });

  it('refuses missing sources, missing destination folders, the root and moving into itself', async () => {
    mkdirSync(path.join(t.ws, 'd/sub'), { recursive: true });
    writeFileSync(path.join(t.ws, 'f'), 'f');
    expect((await t.fail('move_file', { source: 'nope', destination: 'x' })).code).toBe('NOT_FOUND');
    expect((await t.fail('move_file', { source: 'f', destination: 'no/such/dir/f' })).code).toBe('NOT_FOUND');
    expect((await t.fail('move_file', { source: '/', destination: 'x' })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('move_file', { source: 'd', destination: 'd/sub/d' })).code).toBe('INVALID_PARAMS');
    expect(existsSync(path.join(t.ws, 'd/sub'))).toBe(true);
  });
});

describe('delete_file', () => {
  it('deletes files, refuses folders unless recursive, and never the root', async () => {
    writeFileSync(path.join(t.ws, 'f.txt'), 'f');
    mkdirSync(path.join(t.ws, 'dir/sub'), { recursive: true });
    writeFileSync(path.join(t.ws, 'dir/sub/x'), 'x');
    expect(await t.call('delete_file', { path: 'f.txt' })).toEqual({ path: 'f.txt', type: 'file', deleted: true });
    expect(existsSync(path.join(t.ws, 'f.txt'))).toBe(false);
    const refused = await t.fail('delete_file', { path: 'dir' });
    expect(refused.code).toBe('INVALID_PARAMS');
    expect(refused.message).toContain('recursive');
    expect(existsSync(path.join(t.ws, 'dir/sub/x'))).toBe(true);
    expect(await t.call('delete_file', { path: 'dir', recursive: true })).toMatchObject({ type: 'directory' });
    expect(existsSync(path.join(t.ws, 'dir'))).toBe(false);
    expect((await t.fail('delete_file', { path: '/', recursive: true })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('delete_file', { path: 'f.txt' })).code).toBe('NOT_FOUND');
    expect(existsSync(t.ws)).toBe(true);
    expect(t.events).toEqual([
      { kind: 'delete', path: 'f.txt' },
      { kind: 'delete', path: 'dir', recursive: true },
    ]);
  });
});

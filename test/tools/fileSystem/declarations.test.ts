import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Pacer } from '../../../src/core/pacer.js';
import { compileGlobs } from '../../../src/tools/fileSystem/globs.js';
import { fsHarness, type FsHarness } from './helpers.js';

let t: FsHarness | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const ANNOTATIONS: Record<string, [readOnly: boolean, destructive: boolean, idempotent: boolean]> = {
  read_file: [true, false, true],
  read_multiple_files: [true, false, true],
  write_file: [false, true, true],
  edit_file: [false, false, false],
  list_directory: [true, false, true],
  directory_tree: [true, false, true],
  search_files: [true, false, true],
  get_file_info: [true, false, true],
  create_directory: [false, false, true],
  move_file: [false, false, false],
  delete_file: [false, true, true],
};

describe('declarations', () => {
  it('declares all eleven operations under file_system with the stated annotations', async () => {
    t = await fsHarness();
    const ops = t.h.module.operations;
    expect(ops.map((o) => o.mcpName)).toEqual(Object.keys(ANNOTATIONS));
    for (const op of ops) {
      const [readOnly, destructive, idempotent] = ANNOTATIONS[op.mcpName]!;
      expect(op.tool).toBe('file_system');
      expect(op.operation).toBe(op.mcpName);
      expect(op.annotations, op.mcpName).toEqual({
        readOnlyHint: readOnly,
        destructiveHint: destructive,
        idempotentHint: idempotent,
        openWorldHint: false,
      });
      expect(op.scope).toBe(readOnly ? 'read' : 'write');
      expect(op.description.length).toBeGreaterThan(80);
    }
  });

  it('caches read_file, and every write invalidates what read_file is tagged with', async () => {
    t = await fsHarness();
    const byName = new Map(t.h.module.operations.map((o) => [o.mcpName, o]));
    const readTags = byName.get('read_file')!.cache!.tags({ path: 'a' });
    for (const op of t.h.module.operations.filter((o) => !o.annotations.readOnlyHint)) {
      const tags = op.invalidates!({ path: 'a', source: 'a', destination: 'b' }, { created: true });
      expect(
        tags.some((tag) => readTags.includes(tag)),
        op.mcpName,
      ).toBe(true);
    }
  });

  it('FS_READ_ONLY=true removes every writing operation', async () => {
    t = await fsHarness({ FS_READ_ONLY: 'true' });
    const names = t.h.registry.list().map((e) => e.op.mcpName);
    expect(names).toEqual(['read_file', 'read_multiple_files', 'list_directory', 'directory_tree', 'search_files', 'get_file_info']);
    expect(t.h.registry.byMcpName('write_file')).toBeUndefined();
    await t.h.module.ready!();
  });

  it('a read-only credential cannot call writing operations', async () => {
    t = await fsHarness();
    const error = await t.fail('write_file', { path: 'a.txt', content: 'x' }, { scopes: ['read'] });
    expect(error.code).toBe('FORBIDDEN');
    expect(existsSync(path.join(t.ws, 'a.txt'))).toBe(false);
  });

  it('creates WORKSPACE_DIR on start when it does not exist', async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'fs-start-'));
    try {
      const dir = path.join(base, 'not', 'yet');
      t = await fsHarness({ WORKSPACE_DIR: dir });
      expect(existsSync(dir)).toBe(true);
      await t.call('write_file', { path: 'x.txt', content: 'x' });
      expect(existsSync(path.join(dir, 'x.txt'))).toBe(true);
      await t.h.module.ready!();
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('ready() fails, without naming the path, when the workspace is gone', async () => {
    t = await fsHarness();
    rmSync(t.ws, { recursive: true });
    const error = await t.h.module.ready!().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).not.toContain(t.ws);
  });

  it('a workspace listener that throws does not fail the write', async () => {
    t = await fsHarness();
    t.h.events.on(() => {
      throw new Error('listener broke');
    });
    await t.call('write_file', { path: 'a.txt', content: 'x' });
    expect(t.events).toEqual([{ kind: 'write', path: 'a.txt' }]);
  });
});

describe('glob rules', () => {
  it('slash-less patterns match names at any depth; patterns with a slash match the path', async () => {
    const globs = compileGlobs(['*.md', 'api/*.ts', '/root.txt'], 'pattern');
    const m = (rel: string) => globs.test(rel, new Pacer());
    expect(await m('a/b/c.md')).toBe(true);
    expect(await m('api/x.ts')).toBe(true);
    expect(await m('v1/api/x.ts')).toBe(false);
    expect(await m('root.txt')).toBe(true);
    expect(await m('.hidden.md')).toBe(true);
    expect(await m('x.ts')).toBe(false);
  });

  it('an invalid glob is a clear INVALID_PARAMS naming the parameter', () => {
    for (const bad of ['!(a)', '@(a|b', '{1..100000}']) {
      expect(() => compileGlobs(['ok', bad], 'exclude')).toThrow(/exclude pattern .* is not a valid glob/);
    }
  });
});

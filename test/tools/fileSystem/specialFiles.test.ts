import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsHarness, type FsHarness } from './helpers.js';

let t: FsHarness;
beforeEach(async () => {
  // A short call limit: a hanging open() on a FIFO would surface as TIMEOUT instead of the refusal.
  t = await fsHarness({ CALL_TIMEOUT_MS: '2000' });
});
afterEach(async () => t.close());

describe('only regular files are read', () => {
  it('a FIFO is refused at once instead of blocking', async () => {
    execFileSync('mkfifo', [path.join(t.ws, 'pipe')]);
    const started = Date.now();
    const error = await t.fail('read_file', { path: 'pipe' });
    expect(error.code).toBe('INVALID_PARAMS');
    expect(error.message).toContain('FIFO');
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await t.call('read_multiple_files', { paths: ['pipe'] })).files[0].error.code).toBe('INVALID_PARAMS');
    expect((await t.fail('edit_file', { path: 'pipe', edits: [{ old_text: 'a', new_text: 'b' }] })).code).toBe('INVALID_PARAMS');
    expect((await t.fail('write_file', { path: 'pipe', content: 'x' })).code).toBe('INVALID_PARAMS');
    expect(lstatSync(path.join(t.ws, 'pipe')).isFIFO()).toBe(true);
  });

  it('a link to a FIFO inside the workspace is refused too', async () => {
    execFileSync('mkfifo', [path.join(t.ws, 'pipe')]);
    symlinkSync('pipe', path.join(t.ws, 'pipe-link'));
    expect((await t.fail('read_file', { path: 'pipe-link' })).code).toBe('INVALID_PARAMS');
  });

  it('a socket is refused', async () => {
    const socketPath = path.join(t.ws, 's.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const error = await t.fail('read_file', { path: 's.sock' });
      expect(error.code).toBe('INVALID_PARAMS');
      expect(error.message).toContain('socket');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a device reached through a link is refused (it lies outside the root)', async () => {
    symlinkSync('/dev/zero', path.join(t.ws, 'zero'));
    expect((await t.fail('read_file', { path: 'zero' })).code).toBe('FORBIDDEN');
    expect(existsSync('/dev/zero')).toBe(true);
  });

  it('list_directory shows special files as "other"', async () => {
    execFileSync('mkfifo', [path.join(t.ws, 'pipe')]);
    const r = await t.call('list_directory', {});
    expect(r.entries).toEqual([expect.objectContaining({ name: 'pipe', type: 'other' })]);
  });
});

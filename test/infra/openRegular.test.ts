import { execFileSync } from 'node:child_process';
import { linkSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenRefused, openRegularFile } from '../../src/infra/openRegular.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'open-regular-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(target: string, options = {}): Promise<unknown> {
  try {
    const { handle } = await openRegularFile(target, options);
    await handle.close();
  } catch (error) {
    return error;
  }
  throw new Error(`${target} was opened`);
}

describe('openRegularFile: the one way workspace files are opened for reading', () => {
  it('reads a regular file whole (O_NONBLOCK changes nothing for regular files)', async () => {
    const file = path.join(dir, 'a.txt');
    writeFileSync(file, 'x'.repeat(300_000));
    const { handle, stat } = await openRegularFile(file);
    try {
      expect(stat.size).toBe(300_000);
      expect((await handle.readFile('utf8')).length).toBe(300_000);
    } finally {
      await handle.close();
    }
  });

  it('refuses FIFOs without blocking, even many at once (the libuv pool stays free)', async () => {
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    // Far more than libuv's 4 threads: a blocking open() would never settle and starve the rest.
    const refusals = await Promise.all(Array.from({ length: 16 }, () => refusal(fifo)));
    for (const error of refusals) {
      expect(error).toBeInstanceOf(OpenRefused);
      expect((error as OpenRefused).refusal.reason).toBe('not_regular');
    }
    const file = path.join(dir, 'after.txt');
    writeFileSync(file, 'still works');
    const { handle } = await openRegularFile(file);
    expect(await handle.readFile('utf8')).toBe('still works');
    await handle.close();
  });

  it('refuses sockets, devices, folders and final symlinks', async () => {
    const socketPath = path.join(dir, 's.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      expect(await refusal(socketPath)).toMatchObject({ code: 'ENXIO' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await refusal('/dev/null')).toBeInstanceOf(OpenRefused);
    expect(await refusal(dir)).toBeInstanceOf(OpenRefused);
    writeFileSync(path.join(dir, 'real.txt'), 'x');
    symlinkSync('real.txt', path.join(dir, 'link'));
    expect(await refusal(path.join(dir, 'link'))).toMatchObject({ code: 'ELOOP' });
  });

  it('refuses a file with a second name unless hard links are allowed', async () => {
    const original = path.join(dir, 'secret.txt');
    writeFileSync(original, 'outside data');
    const alias = path.join(dir, 'alias.txt');
    linkSync(original, alias);
    const error = await refusal(alias);
    expect(error).toBeInstanceOf(OpenRefused);
    expect((error as OpenRefused).refusal).toEqual({ reason: 'hard_link', links: 2 });
    const { handle } = await openRegularFile(alias, { allowHardLinks: true });
    expect(await handle.readFile('utf8')).toBe('outside data');
    await handle.close();
  });
});

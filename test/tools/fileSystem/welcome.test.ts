import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WELCOME_FILE, WELCOME_TEXT } from '../../../src/tools/fileSystem/welcome.js';
import { fsHarness, type FsHarness } from './helpers.js';

let t: FsHarness | undefined;
let base: string;
afterEach(async () => {
  await t?.close();
  t = undefined;
  rmSync(base, { recursive: true, force: true });
});
const newBase = () => (base = mkdtempSync(path.join(os.tmpdir(), 'fs-welcome-')));

describe('first start: the welcome file', () => {
  it('is written into a workspace the server creates, and read_file returns it', async () => {
    const dir = path.join(newBase(), 'not', 'yet');
    t = await fsHarness({ WORKSPACE_DIR: dir });
    expect(readdirSync(dir)).toEqual([WELCOME_FILE]);
    expect(readFileSync(path.join(dir, WELCOME_FILE), 'utf8')).toBe(WELCOME_TEXT);
    const read = await t.call('read_file', { path: WELCOME_FILE });
    expect(read.content).toBe(WELCOME_TEXT);
  });

  it('is not written into an existing empty folder', async () => {
    const dir = path.join(newBase(), 'workspace');
    mkdirSync(dir);
    t = await fsHarness({ WORKSPACE_DIR: dir });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never touches an existing folder with files, even one with its own welcome.md', async () => {
    const dir = path.join(newBase(), 'workspace');
    mkdirSync(dir);
    writeFileSync(path.join(dir, WELCOME_FILE), 'mine');
    writeFileSync(path.join(dir, 'notes.md'), 'notes');
    t = await fsHarness({ WORKSPACE_DIR: dir });
    expect(readdirSync(dir).sort()).toEqual(['notes.md', WELCOME_FILE]);
    expect(readFileSync(path.join(dir, WELCOME_FILE), 'utf8')).toBe('mine');
  });

  it('does not come back on the next start once the user deleted it', async () => {
    const dir = path.join(newBase(), 'workspace');
    t = await fsHarness({ WORKSPACE_DIR: dir });
    rmSync(path.join(dir, WELCOME_FILE));
    await t.close();
    t = await fsHarness({ WORKSPACE_DIR: dir });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is short, and names the examples the README uses', () => {
    expect(WELCOME_TEXT.split('\n').length).toBeLessThan(20);
    expect(WELCOME_TEXT).toContain('"path": "welcome.md"');
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type TestServer } from '../../helpers/server.js';
import { freePort } from '../../infra/helpers/services.js';
import { chromiumMissing, launchChromium } from './chromium.js';
import { startBuiltinServer } from './flow.js';

const PROXY = path.resolve('node_modules/mcp-remote/dist/proxy.js');

let server: TestServer;
let browser: Browser | undefined;
let child: ChildProcess | undefined;
const home = mkdtempSync(path.join(os.tmpdir(), 'mcp-remote-'));

beforeAll(async () => {
  if (chromiumMissing) return;
  server = await startBuiltinServer();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  child?.kill('SIGKILL');
  await browser?.close();
  await server?.close();
  rmSync(home, { recursive: true, force: true });
});

/** Resolves with the first match of `pattern` in what the stream has said so far or says next. */
function waitFor(text: { value: string }, stream: NodeJS.ReadableStream, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(text.value);
      if (match) {
        stream.off('data', check);
        clearTimeout(timer);
        resolve(match);
      }
    };
    const timer = setTimeout(() => {
      stream.off('data', check);
      reject(new Error(`timed out waiting for ${pattern}; got:\n${text.value.slice(-2000)}`));
    }, timeoutMs);
    stream.on('data', check);
    check();
  });
}

describe.skipIf(chromiumMissing)(
  `mcp-remote's OAuth flow with consent in headless Chromium${chromiumMissing ? ` (${chromiumMissing})` : ''}`,
  () => {
    it('registers, gets the owner’s approval, and proxies tools/list over stdio', async () => {
      // mcp-remote "opens a browser" with xdg-open; a no-op stands in, and Chromium visits the URL it prints.
      const bin = path.join(home, 'bin');
      mkdirSync(bin, { recursive: true });
      writeFileSync(path.join(bin, 'xdg-open'), '#!/bin/sh\nexit 0\n');
      chmodSync(path.join(bin, 'xdg-open'), 0o755);
      const callbackPort = await freePort();
      child = spawn(process.execPath, [PROXY, server.mcpUrl, String(callbackPort), '--allow-http', '--transport', 'http-only'], {
        env: { ...process.env, MCP_REMOTE_CONFIG_DIR: path.join(home, 'config'), PATH: `${bin}:${process.env.PATH}` },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const stderr = { value: '' };
      const stdout = { value: '' };
      child.stderr!.on('data', (chunk) => {
        stderr.value += String(chunk);
      });
      child.stdout!.on('data', (chunk) => {
        stdout.value += String(chunk);
      });
      const [, url] = await waitFor(stderr, child.stderr!, /Please authorize this client by visiting:\s*(\S+)/, 60_000);
      expect(new URL(url!).origin).toBe(server.url);

      const page = await browser!.newPage();
      try {
        const seen = new Promise<string>((resolve) => {
          page.on('request', (request) => {
            if (new URL(request.url()).pathname === '/oauth/callback') resolve(request.url());
          });
        });
        const loaded = page
          .waitForURL((u) => u.pathname === '/oauth/callback', { timeout: 60_000 })
          .then(
            () => true,
            () => false,
          );
        await page.goto(url!);
        await page.fill('#key', ADMIN_KEY);
        await page.click('button.approve');
        const callback = new URL(await seen);
        expect(callback.searchParams.get('code')).toBeTruthy();
        // mcp-remote listens on 127.0.0.1 only; when Chromium tried "localhost" as ::1 and was
        // refused, the redirect is delivered to 127.0.0.1 instead.
        if (!(await loaded)) {
          callback.hostname = '127.0.0.1';
          // mcp-remote says which port it really listens on (it moves off a port that is taken).
          const [, port] = await waitFor(stderr, child.stderr!, /callback port (\d+)/, 30_000);
          callback.port = port!;
          expect((await fetch(callback)).status).toBe(200);
        }
      } finally {
        await page.close();
      }

      const send = (message: unknown) => child!.stdin!.write(`${JSON.stringify(message)}\n`);
      send({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'stdio-host', version: '1.0.0' } },
      });
      await waitFor(stdout, child.stdout!, /"id":1[,}]/, 60_000);
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
      const [line] = await waitFor(stdout, child.stdout!, /^.*"id":2[,}].*$/m, 60_000);
      const names = (JSON.parse(line!).result.tools as { name: string }[]).map((t) => t.name);
      // The owner left "Read only" selected: read tools are there, the write tool is not.
      expect(names).toContain('test_echo');
      expect(names).not.toContain('test_bump');
    }, 180_000);
  },
);

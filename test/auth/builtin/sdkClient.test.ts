import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type TestServer } from '../../helpers/server.js';
import { chromiumMissing, launchChromium } from './chromium.js';
import { startBuiltinServer } from './flow.js';
import { memoryProvider } from './sdkProvider.js';

let server: TestServer;
let callback: Server;
let redirectUrl: string;
let browser: Browser | undefined;

beforeAll(async () => {
  if (chromiumMissing) return;
  server = await startBuiltinServer();
  callback = createServer((_req, res) => res.end('You can close this window.'));
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  redirectUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  callback?.close();
  await server?.close();
});

describe.skipIf(chromiumMissing)(
  `the official SDK client's OAuth flow with consent in headless Chromium${chromiumMissing ? ` (${chromiumMissing})` : ''}`,
  () => {
    it('discovers, registers, authorizes with PKCE and resource, exchanges the code, calls tools and refreshes', async () => {
      let authorizationUrl: URL | undefined;
      const seen: string[] = [];
      const { provider, state } = memoryProvider(
        () => redirectUrl,
        (url) => {
          authorizationUrl = url;
        },
      );
      const fetchLogged: typeof fetch = async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        seen.push(`${init?.method ?? 'GET'} ${url.pathname}`);
        return fetch(input, init);
      };
      const first = new Client({ name: 'sdk-e2e', version: '1.0.0' });
      await expect(
        first.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl), { authProvider: provider, fetch: fetchLogged })),
      ).rejects.toBeInstanceOf(UnauthorizedError);
      expect(authorizationUrl).toBeDefined();
      expect(authorizationUrl!.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorizationUrl!.searchParams.get('resource')).toBe(server.mcpUrl);
      expect(seen).toContain('GET /.well-known/oauth-protected-resource/mcp');
      expect(seen).toContain('GET /.well-known/oauth-authorization-server');
      expect(seen).toContain('POST /oauth/register');

      // The browser step: the owner reads the consent page, types the key, picks read + write, approves.
      const page = await browser!.newPage();
      try {
        await page.goto(authorizationUrl!.href);
        expect(await page.textContent('#client-name')).toBe('SDK end-to-end test');
        expect(await page.textContent('#redirect-host')).toBe(new URL(redirectUrl).host);
        await page.fill('#key', ADMIN_KEY);
        await page.check('input[name=access][value=write]');
        await Promise.all([page.waitForURL((url) => url.href.startsWith(redirectUrl), { timeout: 60_000 }), page.click('button.approve')]);
        const params = new URL(page.url()).searchParams;
        const transport = new StreamableHTTPClientTransport(new URL(server.mcpUrl), { authProvider: provider, fetch: fetchLogged });
        await transport.finishAuth(params);
        expect(seen).toContain('POST /oauth/token');
      } finally {
        await page.close();
      }
      expect(state.tokens.scope).toBe('mcp:read mcp:write');

      const client = new Client({ name: 'sdk-e2e', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl), { authProvider: provider }));
      try {
        expect((await client.listTools()).tools.map((t) => t.name)).toContain('test_bump');
        const bumped = await client.callTool({ name: 'test_bump', arguments: {} });
        expect(bumped.isError).toBeFalsy();
      } finally {
        await client.close();
      }

      // Refresh: the access token is rejected (as when it expires); the client refreshes by itself.
      const oldRefresh = state.tokens.refresh_token;
      state.tokens = { ...state.tokens, access_token: 'expired-access-token-000000000000000000000' };
      const again = new Client({ name: 'sdk-e2e', version: '1.0.0' });
      await again.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl), { authProvider: provider }));
      try {
        expect((await again.listTools()).tools.length).toBeGreaterThan(0);
      } finally {
        await again.close();
      }
      expect(state.tokens.refresh_token).toBeTruthy();
      expect(state.tokens.refresh_token).not.toBe(oldRefresh);
    }, 120_000);
  },
);

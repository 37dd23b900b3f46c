/**
 * Takes docs/images/consent-page.png: the consent page ChatGPT's registration gets, in headless
 * Chromium (the Debian package). Run: npx tsx scripts/consent-screenshot.ts
 */
import path from 'node:path';
import { launchChromium } from '../test/auth/builtin/chromium.js';
import { authorizeUrl, CHATGPT_REDIRECT, pkce, register, startBuiltinServer } from '../test/auth/builtin/flow.js';

const server = await startBuiltinServer();
const browser = await launchChromium();
try {
  const { body: client } = await register(server, {
    client_name: 'ChatGPT',
    redirect_uris: [CHATGPT_REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  });
  const page = await browser.newPage({ viewport: { width: 640, height: 720 }, deviceScaleFactor: 1 });
  await page.goto(
    authorizeUrl(server, {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: CHATGPT_REDIRECT,
      scope: 'mcp:read mcp:write offline_access',
      state: 'screenshot',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      resource: server.mcpUrl,
    }),
  );
  await page.fill('#key', 'mcp_example-key-not-real');
  const file = path.join(import.meta.dirname, '..', 'docs', 'images', 'consent-page.png');
  await page.screenshot({ path: file, fullPage: true });
  console.log(`wrote ${file}`);
} finally {
  await browser.close();
  await server.close();
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import type { Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_MAX_BYTES } from '../../../src/auth/authServer/metadataFetch.js';
import { spawnServer, type ServerProcess } from '../../helpers/process.js';
import { ADMIN_KEY, TEST_KEYS, type TestServer } from '../../helpers/server.js';
import { rpc } from '../wire.js';
import { chromiumMissing, launchChromium } from './chromium.js';
import { memoryProvider } from './sdkProvider.js';
import { authorize, authorizeUrl, BUILTIN, Browser, pkce, startBuiltinServer, tokenRequest, type ServerUrls } from './flow.js';

/*
 * Client ID Metadata Documents end to end: the client_id is an https URL, the document lives on a
 * real TLS server with a certificate made here, and the authorization server (a child process, as
 * an operator runs it) trusts that certificate through NODE_EXTRA_CA_CERTS and may reach the
 * loopback address only because OAUTH_METADATA_ALLOWED_HOSTS names its host and port.
 */

const REDIRECT = 'https://cimd-app.example/callback';
const dir = mkdtempSync(path.join(os.tmpdir(), 'oauth-cimd-'));
const certFile = path.join(dir, 'cert.pem');
const keyFile = path.join(dir, 'key.pem');

/** Requests the document server answered, per path (a cached document is not asked for again). */
const hits = new Map<string, number>();
let documents: Server;
let docsPort: number;
let server: ServerProcess;
/** The same server without OAUTH_METADATA_ALLOWED_HOSTS. */
let closed: TestServer;
/** With OAUTH_METADATA_ALLOWED_HOSTS, but without the test certificate among its trusted ones. */
let untrusted: TestServer;
/** The official SDK client's loopback redirect target (a desktop client's), listed in sdk.json. */
let callback: HttpServer;
let callbackUrl: string;
let chromium: Chromium | undefined;

function docUrl(file: string, host = `127.0.0.1:${docsPort}`): string {
  return `https://${host}/${file}`;
}

/** What a client would publish: its own URL as client_id, a public client, one redirect URI. */
function documentFor(clientId: string, extra: Record<string, unknown> = {}) {
  return {
    client_id: clientId,
    client_name: 'CIMD Test App',
    client_uri: 'https://cimd-app.example/',
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...extra,
  };
}

beforeAll(async () => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=cimd test documents',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  documents = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
    const file = (req.url ?? '/').slice(1);
    hits.set(file, (hits.get(file) ?? 0) + 1);
    // The document names the URL it was fetched from, whatever host spelled it.
    const self = `https://${req.headers.host}${req.url}`;
    const json = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' }).end(JSON.stringify(body));
    if (file === 'big.json') return json(documentFor(self, { padding: 'a'.repeat(METADATA_MAX_BYTES) }));
    if (file === 'nomethod.json') {
      const { token_endpoint_auth_method: _, ...rest } = documentFor(self);
      return json(rest);
    }
    if (file === 'sdk.json') return json(documentFor(self, { client_name: 'SDK CIMD client', redirect_uris: [callbackUrl] }));
    if (file === 'secret.json') return json(documentFor(self, { token_endpoint_auth_method: 'client_secret_basic' }));
    if (file === 'impostor.json') return json(documentFor(docUrl('client.json')));
    json(documentFor(self));
  });
  await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
  docsPort = (documents.address() as AddressInfo).port;
  callback = createHttpServer((_req, res) => res.end('You can close this window.'));
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  if (!chromiumMissing) chromium = await launchChromium();
  [server, closed, untrusted] = await Promise.all([
    spawnServer(
      {
        ...BUILTIN,
        MCP_API_KEYS: TEST_KEYS,
        NODE_EXTRA_CA_CERTS: certFile,
        OAUTH_METADATA_ALLOWED_HOSTS: `127.0.0.1:${docsPort}`,
      },
      { publicUrl: true },
    ),
    startBuiltinServer(),
    startBuiltinServer({ OAUTH_METADATA_ALLOWED_HOSTS: `127.0.0.1:${docsPort}` }),
  ]);
}, 120_000);

afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  await closed?.close();
  await untrusted?.close();
  documents?.close();
  callback?.close();
  await chromium?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens the authorize URL for a client_id as a browser would; returns where it stops. */
async function open(target: ServerUrls, clientId: string, redirectUri = REDIRECT) {
  const browser = new Browser(target.url);
  return browser.follow(
    authorizeUrl(target, {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      scope: 'mcp:read mcp:write',
      state: 'st',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      resource: target.mcpUrl,
    }),
  );
}

async function toolsList(target: ServerUrls, token: string) {
  return rpc(target.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, token, { 'mcp-protocol-version': '2025-06-18' });
}

describe('Client ID Metadata Documents: the whole flow with an https client_id', () => {
  it('fetches the document, shows its client on the consent page, issues tokens for /mcp, refreshes, and the token lists tools', async () => {
    const clientId = docUrl('client.json');
    const consent = await open(server, clientId);
    expect(consent.status).toBe(200);
    expect(consent.text).toContain('CIMD Test App');
    expect(consent.text).toContain('cimd-app.example');
    expect(hits.get('client.json')).toBe(1);

    const flow = await authorize(server, { clientId, redirectUri: REDIRECT, key: ADMIN_KEY, access: 'write' });
    expect(flow.status).toBe(200);
    expect(flow.callback.searchParams.get('iss')).toBe(server.url);
    expect(flow.body.scope).toBe('mcp:read mcp:write');
    expect(flow.body.refresh_token).toBeTruthy();
    const listed = await toolsList(server, flow.body.access_token);
    expect(listed.status).toBe(200);
    expect(listed.body.result.tools.length).toBeGreaterThan(0);

    const refreshed = await tokenRequest(
      server,
      { clientId },
      { grant_type: 'refresh_token', refresh_token: flow.body.refresh_token, resource: server.mcpUrl },
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(flow.body.refresh_token);
    expect((await toolsList(server, refreshed.body.access_token)).status).toBe(200);
    // A second whole authorization and the refresh used the cached document (max-age=300).
    expect(hits.get('client.json')).toBe(1);
  });

  it('a document that names no token_endpoint_auth_method is a public client (no secret can exist), not a broken confidential one', async () => {
    const clientId = docUrl('nomethod.json');
    const flow = await authorize(server, { clientId, redirectUri: REDIRECT, key: ADMIN_KEY, access: 'read' });
    expect(flow.status).toBe(200);
    expect(flow.body.scope).toBe('mcp:read');
    expect((await toolsList(server, flow.body.access_token)).status).toBe(200);
  });
});

describe('Client ID Metadata Documents: refusals in the full flow', () => {
  /** A refusal stays on our page (no redirect to an unverified client), is clear, and is never a 500. */
  async function expectRefusedOnOurPage(target: ServerUrls, clientId: string, reason: RegExp, redirectUri = REDIRECT) {
    const answer = await open(target, clientId, redirectUri);
    expect(answer.status).toBe(400);
    expect(answer.location).toBeUndefined();
    expect(answer.text).toContain('This authorization cannot continue');
    expect(answer.text).toMatch(reason);
    return answer;
  }

  it(`a document bigger than ${METADATA_MAX_BYTES} bytes`, async () => {
    await expectRefusedOnOurPage(server, docUrl('big.json'), /invalid_client.*larger than 5120 bytes/s);
  });

  it('a redirect_uri the document does not list', async () => {
    await expectRefusedOnOurPage(server, docUrl('client.json'), /redirect_uri/, 'https://attacker.example/callback');
  });

  it('a document that names another client_id than its URL', async () => {
    await expectRefusedOnOurPage(server, docUrl('impostor.json'), /client_id.*does not match/);
  });

  it('a document asking for a shared secret (client_secret_basic)', async () => {
    await expectRefusedOnOurPage(server, docUrl('secret.json'), /invalid_client_metadata.*shared-secret/);
  });

  it('Security: a document on a server whose certificate is not trusted', async () => {
    await expectRefusedOnOurPage(untrusted, docUrl('client.json'), /TLS certificate.*NODE_EXTRA_CA_CERTS/s);
  });

  it('a client_id URL that is not https is never fetched', async () => {
    const before = hits.get('client.json');
    await expectRefusedOnOurPage(server, `http://127.0.0.1:${docsPort}/client.json`, /invalid_client.*must be the https URL/);
    expect(hits.get('client.json')).toBe(before);
  });

  it('Security: a loopback host or port OAUTH_METADATA_ALLOWED_HOSTS does not name is never fetched', async () => {
    const before = hits.get('fresh.json') ?? 0;
    await expectRefusedOnOurPage(server, docUrl('fresh.json', `localhost:${docsPort}`), /is not a public address/);
    await expectRefusedOnOurPage(server, 'https://127.0.0.1:1/client.json', /is not a public address/);
    expect(hits.get('fresh.json') ?? 0).toBe(before);
  });

  it('Security: without OAUTH_METADATA_ALLOWED_HOSTS the same loopback client_id URL is refused before any connection', async () => {
    const before = hits.get('client.json');
    await expectRefusedOnOurPage(closed, docUrl('client.json'), /is not a public address.*OAUTH_METADATA_ALLOWED_HOSTS/s);
    expect(hits.get('client.json')).toBe(before);
  });
});

describe.skipIf(chromiumMissing)(
  `the official SDK client with a Client ID Metadata Document, consent in headless Chromium${chromiumMissing ? ` (${chromiumMissing})` : ''}`,
  () => {
    it('uses its document URL as client_id without registering, and gets tools after the owner approves', async () => {
      const clientId = docUrl('sdk.json');
      let authorizationUrl: URL | undefined;
      const seen: string[] = [];
      const { provider, state } = memoryProvider(
        () => callbackUrl,
        (url) => {
          authorizationUrl = url;
        },
        { clientName: 'SDK CIMD client', clientMetadataUrl: clientId },
      );
      const fetchLogged: typeof fetch = async (input, init) => {
        seen.push(`${init?.method ?? 'GET'} ${new URL(input instanceof Request ? input.url : String(input)).pathname}`);
        return fetch(input, init);
      };
      const first = new Client({ name: 'sdk-cimd', version: '1.0.0' });
      await expect(
        first.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl), { authProvider: provider, fetch: fetchLogged })),
      ).rejects.toBeInstanceOf(UnauthorizedError);
      expect(authorizationUrl?.searchParams.get('client_id')).toBe(clientId);
      expect(seen).not.toContain('POST /oauth/register');

      const page = await chromium!.newPage();
      try {
        await page.goto(authorizationUrl!.href);
        expect(await page.textContent('#client-name')).toBe('SDK CIMD client');
        expect(await page.textContent('#redirect-host')).toBe(new URL(callbackUrl).host);
        await page.fill('#key', ADMIN_KEY);
        await Promise.all([page.waitForURL((url) => url.href.startsWith(callbackUrl), { timeout: 60_000 }), page.click('button.approve')]);
        await new StreamableHTTPClientTransport(new URL(server.mcpUrl), { authProvider: provider, fetch: fetchLogged }).finishAuth(
          new URL(page.url()).searchParams,
        );
      } finally {
        await page.close();
      }
      expect(seen).toContain('POST /oauth/token');
      expect(state.tokens.scope).toBe('mcp:read');

      const client = new Client({ name: 'sdk-cimd', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl), { authProvider: provider }));
      try {
        expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      } finally {
        await client.close();
      }
    }, 120_000);
  },
);

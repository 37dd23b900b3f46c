import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_MAX_BYTES, metadataFetch } from '../../../src/auth/authServer/metadataFetch.js';
import { ADMIN_KEY, type TestServer } from '../../helpers/server.js';
import { rpc } from '../wire.js';
import { authorize, authorizeUrl, Browser, pkce, startBuiltinServer } from './flow.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'oauth-clients-'));
const clientsFile = path.join(dir, 'clients.json');
const SECRET = 'pre-registered-secret-0123456789abcdef';
writeFileSync(
  clientsFile,
  JSON.stringify([
    { client_id: 'my-app', client_secret: SECRET, client_name: 'My App', redirect_uris: ['https://app.example/callback'] },
    { client_id: 'my-cli', token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1:8765/callback'] },
  ]),
);

let server: TestServer;
let documents: Server;
let documentsUrl: string;
beforeAll(async () => {
  server = await startBuiltinServer({ OAUTH_CLIENTS_FILE: clientsFile });
  documents = createServer((req, res) => {
    if (req.url === '/big.json')
      return res.writeHead(200, { 'content-type': 'application/json' }).end(`{"x":"${'a'.repeat(METADATA_MAX_BYTES)}"}`);
    if (req.url === '/moved.json') return res.writeHead(302, { location: '/client.json' }).end();
    if (req.url === '/page.html') return res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi</p>');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"client_id":"x","redirect_uris":["https://app.example/cb"]}');
  });
  await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
  documentsUrl = `http://127.0.0.1:${(documents.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await server?.close();
  documents?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('pre-registered clients (OAUTH_CLIENTS_FILE)', () => {
  it('a confidential and a public client from the file complete the flow', async () => {
    const app = await authorize(server, {
      clientId: 'my-app',
      clientSecret: SECRET,
      redirectUri: 'https://app.example/callback',
      key: ADMIN_KEY,
    });
    expect(app.status).toBe(200);
    const listed = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, app.body.access_token, {
      'mcp-protocol-version': '2025-06-18',
    });
    expect(listed.status).toBe(200);
    const cli = await authorize(server, {
      clientId: 'my-cli',
      redirectUri: 'http://127.0.0.1:8765/callback',
      key: ADMIN_KEY,
      access: 'read',
    });
    expect(cli.body.scope).toBe('mcp:read');
  });

  it('a wrong secret for a pre-registered client gets no token', async () => {
    await expect(
      authorize(server, { clientId: 'my-app', clientSecret: 'wrong', redirectUri: 'https://app.example/callback', key: ADMIN_KEY }),
    ).resolves.toMatchObject({
      status: 401,
    });
  });

  it('refuses to start with a pre-registered redirect URI that is not https or loopback http', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify([{ client_id: 'bad', token_endpoint_auth_method: 'none', redirect_uris: ['http://app.example/cb'] }]),
    );
    await expect(startBuiltinServer({ OAUTH_CLIENTS_FILE: bad })).rejects.toThrow(/redirect_uris/);
  });
});

describe('Client ID Metadata Documents', () => {
  it('are advertised in the metadata', async () => {
    const as = await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json();
    expect(as.client_id_metadata_document_supported).toBe(true);
  });

  it.each([
    'https://127.0.0.1:1/client.json',
    'https://169.254.169.254/latest/meta-data/client.json',
    'https://[::1]/client.json',
    'https://localhost/client.json',
  ])('Security: never fetches a client_id URL on a private address (%s); the error stays on our page', async (clientId) => {
    const browser = new Browser(server.url);
    const answer = await browser.follow(
      authorizeUrl(server, {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: 'https://app.example/cb',
        scope: 'mcp:read',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(answer.status).toBe(400);
    expect(answer.location).toBeUndefined();
    expect(answer.text).toContain('invalid_client');
  });

  it('the fetcher refuses private addresses unless allowed, big documents, redirects and non-JSON', async () => {
    const host = new URL(documentsUrl).host;
    await expect(metadataFetch()(`${documentsUrl}/client.json`)).rejects.toThrow();
    const allowed = metadataFetch({ allowedTargets: new Set([host]) });
    const ok = await allowed(`${documentsUrl}/client.json`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { client_id: string }).client_id).toBe('x');
    await expect(allowed(`${documentsUrl}/big.json`)).rejects.toThrow(/larger than/);
    await expect(allowed(`${documentsUrl}/moved.json`)).rejects.toThrow();
    await expect(allowed(`${documentsUrl}/page.html`)).rejects.toThrow();
  });
});

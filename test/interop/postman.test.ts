import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type TestServer } from '../helpers/server.js';
import { startOAuthServer } from '../auth/oauthServer.js';
import { startAuthorizationServer, type TestAuthorizationServer } from '../auth/oidcProvider.js';
import { send } from '../auth/wire.js';

interface PostmanRequest {
  method: string;
  header: { key: string; value: string }[];
  body?: { raw: string };
  url: { raw: string };
  auth?: { type: string };
}
interface PostmanItem {
  name: string;
  item?: PostmanItem[];
  request?: PostmanRequest;
}

const collection = JSON.parse(readFileSync(new URL('../../docs/postman_collection.json', import.meta.url), 'utf8')) as {
  info: { schema: string };
  auth: { type: string };
  variable: { key: string; value: string }[];
  item: PostmanItem[];
};
/** Requests into tools this test server does not load. */
const SKIPPED_FOLDERS = new Set(['Examples (other tools)']);
const requests = collection.item
  .filter((folder) => !SKIPPED_FOLDERS.has(folder.name))
  .flatMap((folder) => folder.item!.map((item) => [`${folder.name} / ${item.name}`, item.request!] as const));

let as: TestAuthorizationServer;
let server: TestServer;
beforeAll(async () => {
  as = await startAuthorizationServer();
  server = await startOAuthServer({ AUTH_MODE: 'both', OAUTH_ISSUER: as.issuer });
});
afterAll(async () => {
  await server?.close();
  await as?.close();
});

/** Postman's variable substitution, for the variables the collection uses. */
function substitute(text: string, token: string): string {
  return text
    .replaceAll('{{baseUrl}}', server.url)
    .replaceAll('{{token}}', token)
    .replaceAll('{{$guid}}', () => randomUUID())
    .replaceAll('{{$isoTimestamp}}', () => new Date().toISOString());
}

describe('docs/postman_collection.json', () => {
  it('is a Postman v2.1 collection with bearer auth from the token variable', () => {
    expect(collection.info.schema).toBe('https://schema.getpostman.com/json/collection/v2.1.0/collection.json');
    expect(collection.auth.type).toBe('bearer');
    expect(collection.variable.map((v) => v.key)).toEqual(['baseUrl', 'token']);
    expect(requests.length).toBeGreaterThanOrEqual(10);
  });

  describe.each([
    ['an API key', async () => ADMIN_KEY],
    ['an OAuth access token', async () => as.token({ resource: server.mcpUrl, scope: 'mcp:read mcp:write' })],
  ])('replayed with %s', (_label, credential) => {
    it.each(requests)('%s succeeds', async (_name, request) => {
      const token = await credential();
      const headers: Record<string, string> = Object.fromEntries(request.header.map((h) => [h.key, substitute(h.value, token)]));
      if (request.auth?.type !== 'noauth') headers.Authorization = `Bearer ${token}`;
      const answer = await send(substitute(request.url.raw, token), {
        method: request.method,
        headers,
        body: request.body ? substitute(request.body.raw, token) : undefined,
      });
      expect(answer.status, answer.text).toBeGreaterThanOrEqual(200);
      expect(answer.status, answer.text).toBeLessThan(300);
      if (answer.body?.jsonrpc) expect(answer.body.error, answer.text).toBeUndefined();
      if (answer.body?.message_type) expect(answer.body.message_type).toBe('response');
      if (answer.body?.content?.results)
        expect(answer.body.content.results.every((r: { status: string }) => r.status === 'success')).toBe(true);
    });
  });
});

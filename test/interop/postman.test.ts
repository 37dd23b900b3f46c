import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WELCOME_TEXT } from '../../src/tools/fileSystem/welcome.js';
import { ADMIN_KEY, startServer, type TestServer } from '../helpers/server.js';
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
/** Requests into the real tools: replayed against a fresh install below, not against the test-tool server. */
const TOOL_FOLDER = 'Examples (other tools)';
const requestsOf = (folders: PostmanItem[]) =>
  folders.flatMap((folder) => folder.item!.map((item) => [`${folder.name} / ${item.name}`, item.request!] as const));
const requests = requestsOf(collection.item.filter((folder) => folder.name !== TOOL_FOLDER));
const toolRequests = requestsOf(collection.item.filter((folder) => folder.name === TOOL_FOLDER));

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
function substitute(text: string, token: string, baseUrl = server.url): string {
  return text
    .replaceAll('{{baseUrl}}', baseUrl)
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

  describe('the tool examples, against a fresh install (every tool, the workspace not yet created)', () => {
    let fresh: TestServer;
    beforeAll(async () => {
      fresh = await startServer({ freshWorkspace: true });
    });
    afterAll(() => fresh?.close());

    const replay = async (request: PostmanRequest) => {
      const headers: Record<string, string> = Object.fromEntries(
        request.header.map((h) => [h.key, substitute(h.value, ADMIN_KEY, fresh.url)]),
      );
      headers.Authorization = `Bearer ${ADMIN_KEY}`;
      return send(substitute(request.url.raw, ADMIN_KEY, fresh.url), {
        method: request.method,
        headers,
        body: request.body ? substitute(request.body.raw, ADMIN_KEY, fresh.url) : undefined,
      });
    };

    it('has the tool examples', () => {
      expect(toolRequests.map(([name]) => name)).toContain(`${TOOL_FOLDER} / file_system.read_file`);
    });

    it.each(toolRequests)('%s succeeds', async (name, request) => {
      const answer = await replay(request);
      expect(answer.status, answer.text).toBe(200);
      if (answer.body?.jsonrpc) {
        expect(answer.body.error, answer.text).toBeUndefined();
        expect(answer.body.result?.isError, answer.text).not.toBe(true);
      } else expect(answer.body?.message_type, answer.text).toBe('response');
      // The read and the search find the welcome file the first start put into the workspace.
      if (name.endsWith('file_system.read_file')) expect(answer.body.content.content).toBe(WELCOME_TEXT);
      if (name.endsWith('tools/call search')) expect(answer.text).toContain('welcome.md');
    });
  });
});

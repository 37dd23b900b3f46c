import { METHODS, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTool } from '../helpers/testTools.js';
import { ADMIN_KEY, envelope, startServer, type TestServer } from '../helpers/server.js';

/** One raw HTTP/1.1 exchange: any method, repeated headers (as raw [name, value] pairs), any body. */
function raw(
  url: string,
  method: string,
  headers: [string, string][] = [],
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    // Node sends no Host of its own when headers come as a raw list.
    const flat = headers.some(([name]) => name.toLowerCase() === 'host') ? headers.flat() : ['host', target.host, ...headers.flat()];
    if (body !== undefined) flat.push('content-length', String(Buffer.byteLength(body)));
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method, headers: flat },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const AUTH: [string, string] = ['authorization', `Bearer ${ADMIN_KEY}`];
const JSON_TYPE: [string, string] = ['content-type', 'application/json'];

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ toolFactories: [createTestTool] });
});
afterAll(async () => {
  await server.close();
});

// CONNECT is not a request to a route (Node hands it to the 'connect' event) and has its own test.
const EVERY_METHOD = METHODS.filter((m) => m !== 'CONNECT');
const ROUTES: [string, string[]][] = [
  ['/mcp', ['POST']],
  ['/healthz', ['GET', 'HEAD']],
  ['/readyz', ['GET', 'HEAD']],
  ['/metrics', ['GET', 'HEAD']],
  ['/.well-known/oauth-protected-resource', ['GET', 'HEAD']],
  ['/.well-known/oauth-authorization-server', ['GET', 'HEAD']],
];

describe('every HTTP method on every route', () => {
  it.each(ROUTES)('%s answers each method it does not serve with a well-formed 405, never a 500', async (path, served) => {
    for (const method of EVERY_METHOD) {
      if (served.includes(method)) continue;
      for (const headers of [[AUTH], []] as [string, string][][]) {
        const answer = await raw(`${server.url}${path}`, method, headers);
        if (method === 'OPTIONS') {
          expect(answer.status, `${method} ${path}`).toBe(204);
        } else {
          expect(answer.status, `${method} ${path}`).toBe(405);
          expect(answer.headers['content-type']).toMatch(/^application\/json/);
          if (method !== 'HEAD') {
            const body = JSON.parse(answer.text);
            if (path === '/mcp') {
              expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32009 } });
              expect(body.error.message).toContain(method);
            } else {
              expect(body).toMatchObject({ message_type: 'error', content: { code: 'METHOD_NOT_ALLOWED' } });
            }
          }
        }
        const allow = String(answer.headers.allow).split(', ');
        expect(allow).toEqual(expect.arrayContaining([...served, 'OPTIONS']));
        expect(allow).not.toContain(method === 'OPTIONS' ? 'TRACE' : method);
      }
    }
  });

  it('TRACE never echoes the request back (the credential stays out of the body)', async () => {
    const answer = await raw(server.mcpUrl, 'TRACE', [AUTH]);
    expect(answer.status).toBe(405);
    expect(answer.text).not.toContain(ADMIN_KEY);
  });

  it('treats /MCP and /mcp/ like /mcp', async () => {
    for (const path of ['/MCP', '/mcp/']) {
      const answer = await raw(`${server.url}${path}`, 'PROPFIND', [AUTH]);
      expect([404, 405]).toContain(answer.status);
      expect(answer.status).not.toBe(500);
    }
    expect((await raw(`${server.url}/mcp/`, 'TRACE', [AUTH])).status).toBe(405);
  });

  it('unknown paths stay a JSON 404 for every method', async () => {
    for (const method of EVERY_METHOD) {
      const answer = await raw(`${server.url}/nothing-here`, method, [AUTH]);
      expect(answer.status, method).toBe(404);
    }
  });

  it('a CONNECT request is closed without crashing the server', async () => {
    await raw(`${server.url}/mcp`, 'CONNECT', [AUTH]).catch(() => undefined);
    expect((await raw(`${server.url}/healthz`, 'GET')).status).toBe(200);
  });

  it('the served methods still work', async () => {
    expect((await raw(`${server.url}/healthz`, 'GET')).status).toBe(200);
    expect((await raw(`${server.url}/healthz`, 'HEAD')).status).toBe(200);
    const call = await raw(server.mcpUrl, 'POST', [AUTH, JSON_TYPE], JSON.stringify(envelope('test', 'echo', { text: 'hi' })));
    expect(call.status).toBe(200);
  });
});

describe('repeated credential headers are refused, never resolved first-wins', () => {
  const other = 'reader-key-0123456789';
  it.each([
    ['two valid keys', [AUTH, ['authorization', `Bearer ${other}`]]],
    ['a valid key then a bad one', [AUTH, ['Authorization', 'Bearer nope-nope-nope']]],
    ['a bad key then a valid one', [['authorization', 'Bearer nope-nope-nope'], AUTH]],
    ['the same key twice', [AUTH, AUTH]],
    ['an empty second copy', [AUTH, ['AUTHORIZATION', '']]],
    ['two Proxy-Authorization headers', [AUTH, ['proxy-authorization', 'Basic a'], ['proxy-authorization', 'Basic b']]],
  ] as [string, [string, string][]][])('%s: 400 in the caller’s dialect, and the call does not run', async (_label, headers) => {
    const mcp = await raw(
      server.mcpUrl,
      'POST',
      [...headers, JSON_TYPE, ['accept', 'application/json']],
      JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'test_bump', arguments: {} } }),
    );
    expect(mcp.status).toBe(400);
    expect(JSON.parse(mcp.text)).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
    expect(JSON.parse(mcp.text).error.message).toMatch(/more than once/);
    const env = await raw(server.mcpUrl, 'POST', [...headers, JSON_TYPE], JSON.stringify(envelope('test', 'bump')));
    expect(env.status).toBe(400);
    expect(JSON.parse(env.text)).toMatchObject({ message_type: 'error', content: { code: 'INVALID_REQUEST' } });
  });

  it('refuses a repeated Authorization header on /metrics and /healthz too', async () => {
    for (const path of ['/metrics', '/healthz']) {
      expect((await raw(`${server.url}${path}`, 'GET', [AUTH, AUTH])).status).toBe(400);
    }
  });

  it('refuses two Host headers', async () => {
    const answer = await raw(`${server.url}/healthz`, 'GET', [
      ['host', `127.0.0.1:${new URL(server.url).port}`],
      ['host', 'evil.example'],
    ]);
    expect(answer.status).toBe(400);
  });

  it('one Authorization header is still accepted', async () => {
    const answer = await raw(server.mcpUrl, 'POST', [AUTH, JSON_TYPE], JSON.stringify(envelope('test', 'echo', { text: 'x' })));
    expect(answer.status).toBe(200);
  });
});

describe('replies are not cacheable unless they opt in', () => {
  it('sends Cache-Control: no-store on successes and errors alike', async () => {
    const answers = [
      await raw(server.mcpUrl, 'POST', [AUTH, JSON_TYPE], JSON.stringify(envelope('test', 'echo', { text: 'x' }))),
      await raw(server.mcpUrl, 'POST', [JSON_TYPE], JSON.stringify(envelope('test', 'echo', { text: 'x' }))),
      await raw(server.mcpUrl, 'POST', [AUTH, JSON_TYPE], '{"broken'),
      await raw(server.mcpUrl, 'TRACE', [AUTH]),
      await raw(`${server.url}/nothing-here`, 'GET'),
      await raw(`${server.url}/.well-known/oauth-protected-resource`, 'GET'),
      await raw(`${server.url}/healthz`, 'GET'),
    ];
    for (const answer of answers) expect(answer.headers['cache-control'], String(answer.status)).toBe('no-store');
  });
});

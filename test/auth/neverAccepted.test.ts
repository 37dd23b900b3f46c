import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/http/listen.js';
import { ADMIN_KEY, type TestServer } from '../helpers/server.js';
import { startOAuthServer } from './oauthServer.js';
import { challengeParams, rpc, send, toolsCall } from './wire.js';

// An authorization server that is "down": it counts every connection and drops it unanswered.
let dead: Server;
let connections = 0;
let issuer: string;
let server: TestServer;

beforeAll(async () => {
  dead = createServer();
  dead.on('connection', (socket) => {
    connections++;
    socket.destroy();
  });
  await listen(dead, 0, '127.0.0.1');
  issuer = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
  server = await startOAuthServer({ AUTH_MODE: 'both', OAUTH_ISSUER: issuer });
});
afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => dead?.close(resolve));
});

const V = { 'mcp-protocol-version': '2025-06-18' };
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claims = () => ({
  iss: issuer,
  aud: server.mcpUrl,
  sub: 'someone',
  scope: 'mcp:read mcp:write',
  exp: Math.floor(Date.now() / 1000) + 600,
});

async function hmac(alg: 'HS256' | 'HS384' | 'HS512'): Promise<string> {
  return new SignJWT(claims()).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode('k'.repeat(64)));
}

describe('a JWT whose algorithm we never accept is a 401 without contacting the authorization server', () => {
  const cases: [string, () => Promise<string>][] = [
    ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
    ['alg NONE (case games)', async () => `${b64({ alg: 'NONE' })}.${b64(claims())}.`],
    ['alg None with a signature', async () => `${b64({ alg: 'None' })}.${b64(claims())}.c2ln`],
    ['HS256', () => hmac('HS256')],
    ['HS384', () => hmac('HS384')],
    ['HS512', () => hmac('HS512')],
    ['ES256K (asymmetric, but not on our list)', async () => `${b64({ alg: 'ES256K', kid: 'x' })}.${b64(claims())}.c2ln`],
    ['RS1', async () => `${b64({ alg: 'RS1' })}.${b64(claims())}.c2ln`],
    ['an alg that is not a string', async () => `${b64({ alg: ['RS256'] })}.${b64(claims())}.c2ln`],
    ['no alg at all', async () => `${b64({ typ: 'JWT' })}.${b64(claims())}.c2ln`],
    ['a header that is not JSON', async () => `${Buffer.from('{"alg":').toString('base64url')}.${b64(claims())}.c2ln`],
    ['a header that is JSON but not an object', async () => `${b64('RS256')}.${b64(claims())}.c2ln`],
  ];
  it.each(cases)('%s', async (_label, make) => {
    const before = connections;
    const answer = await rpc(server.mcpUrl, toolsCall(1, 'list_tools'), await make(), V);
    expect(answer.status).toBe(401);
    expect(challengeParams(answer.headers.get('www-authenticate')).error).toBe('invalid_token');
    expect(answer.text).not.toContain(issuer);
    expect(connections).toBe(before);
  });

  it('a token with an accepted algorithm does try the (dead) authorization server: 503, not 401', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey);
    const before = connections;
    const answer = await rpc(server.mcpUrl, toolsCall(2, 'list_tools'), token, V);
    expect(answer.status).toBe(503);
    expect(connections).toBeGreaterThan(before);
  });

  it('API keys keep working meanwhile', async () => {
    expect((await rpc(server.mcpUrl, toolsCall(3, 'list_tools'), ADMIN_KEY, V)).status).toBe(200);
  });
});

describe('the authorization server metadata copy', () => {
  it('answers 502 with Cache-Control: no-store while the authorization server is down', async () => {
    for (const method of ['GET', 'HEAD']) {
      const answer = await send(`${server.url}/.well-known/oauth-authorization-server`, { method });
      expect(answer.status).toBe(502);
      expect(answer.headers.get('cache-control')).toBe('no-store');
    }
  });
});

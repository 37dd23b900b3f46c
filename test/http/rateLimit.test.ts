import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/index.js';
import { ADMIN_KEY, READER_KEY, envelope, postJson, startServer, type TestServer } from '../helpers/server.js';
import { createTestTool } from '../helpers/testTools.js';
import { privateRedis } from '../infra/helpers/privateRedis.js';
import { REDIS_URL, describeWithRedis, describeWithRedisServer, dropPrefix, freePort, uniquePrefix } from '../infra/helpers/services.js';

const tools = [createTestTool];
const echo = () => envelope('test', 'echo', { text: `hi ${Math.random()}` });
const mcpCall = (name: string, args: Record<string, unknown>, id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});
const MCP_HEADERS = { 'mcp-protocol-version': '2025-06-18' };

async function sendMany(url: string, count: number, body: () => unknown, headers: Record<string, string> = {}) {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await postJson(url, body(), headers)).status);
  return statuses;
}

describe('rate limits (in-process)', () => {
  const servers: TestServer[] = [];
  const start = async (env: Record<string, string>) => {
    const server = await startServer({ toolFactories: tools, env });
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    while (servers.length) await servers.pop()!.close();
  });

  it('answers an envelope caller over the limit with 429, RATE_LIMITED, Retry-After and RateLimit headers', async () => {
    const server = await start({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' });
    expect(await sendMany(server.mcpUrl, 3, echo)).toEqual([200, 200, 200]);
    const request = envelope('test', 'echo', { text: 'x' }, { session_id: 's' });
    const limited = await postJson(server.mcpUrl, request);
    expect(limited.status).toBe(429);
    expect(limited.body.message_type).toBe('error');
    expect(limited.body.in_reply_to).toBe(request.message_id);
    expect(limited.body.content.code).toBe('RATE_LIMITED');
    expect(limited.body.content.error).toMatch(/at most 3 requests per 1 min/);
    expect(limited.body.metadata.session_id).toBe('s');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get('ratelimit')).toContain('"caller"; r=0');
    expect(limited.headers.get('ratelimit-policy')).toContain('"caller"; q=3; w=60');
  });

  it('answers an MCP caller over the limit with a JSON-RPC error carrying the request id', async () => {
    const server = await start({ RATE_LIMIT_MAX: '2' });
    await sendMany(server.mcpUrl, 2, () => mcpCall('test_echo', { text: 'a' }), MCP_HEADERS);
    const limited = await postJson(server.mcpUrl, mcpCall('test_echo', { text: 'a' }, 'call-7'), MCP_HEADERS);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ jsonrpc: '2.0', id: 'call-7', error: { code: -32005 } });
    expect(limited.body.error.message).toMatch(/Retry after \d+ s/);
    expect(limited.headers.get('retry-after')).toBeTruthy();
  });

  it('counts each credential separately', async () => {
    const server = await start({ RATE_LIMIT_MAX: '2' });
    await sendMany(server.mcpUrl, 2, echo);
    expect((await postJson(server.mcpUrl, echo())).status).toBe(429);
    expect((await postJson(server.mcpUrl, echo(), { authorization: `Bearer ${READER_KEY}` })).status).toBe(200);
  });

  it('counts every item of an envelope batch', async () => {
    const server = await start({ RATE_LIMIT_MAX: '4' });
    const batch = (n: number) => ({
      ...echo(),
      content: { batch: Array.from({ length: n }, (_, i) => ({ tool_name: 'test', operation: 'echo', parameters: { text: `b${i}` } })) },
    });
    expect((await postJson(server.mcpUrl, batch(5))).status).toBe(429);
    const server2 = await start({ RATE_LIMIT_MAX: '4' });
    expect((await postJson(server2.mcpUrl, batch(3))).status).toBe(200);
    expect((await postJson(server2.mcpUrl, echo())).status).toBe(200);
    expect((await postJson(server2.mcpUrl, echo())).status).toBe(429);
  });

  it('counts every message of a JSON-RPC batch', async () => {
    const server = await start({ RATE_LIMIT_MAX: '3' });
    const batch = [mcpCall('test_echo', { text: 'a' }, 1), mcpCall('test_echo', { text: 'b' }, 2), mcpCall('test_echo', { text: 'c' }, 3)];
    const first = await postJson(server.mcpUrl, batch, { 'mcp-protocol-version': '2025-03-26' });
    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(3);
    const next = await postJson(server.mcpUrl, mcpCall('test_echo', { text: 'd' }), MCP_HEADERS);
    expect(next.status).toBe(429);
  });

  it('applies a per-operation limit to MCP tools/call and envelope calls alike, leaving other tools alone', async () => {
    const server = await start({ RATE_LIMIT_MAX: '50', RATE_LIMIT_TOOLS: 'test.bump=2' });
    expect((await postJson(server.mcpUrl, envelope('test', 'bump', {}))).status).toBe(200);
    expect((await postJson(server.mcpUrl, mcpCall('test_bump', {}), MCP_HEADERS)).status).toBe(200);
    const limited = await postJson(server.mcpUrl, envelope('test', 'bump', {}));
    expect(limited.status).toBe(429);
    expect(limited.body.content.error).toMatch(/for test\.bump: at most 2 calls/);
    expect(limited.headers.get('ratelimit')).toContain('"test.bump"; r=0');
    expect((await postJson(server.mcpUrl, envelope('test', 'echo', { text: 'still fine' }))).status).toBe(200);
    // A batch naming the limited operation is refused as a whole.
    const batch = {
      ...echo(),
      content: {
        batch: [
          { tool_name: 'test', operation: 'echo', parameters: { text: 'x' } },
          { tool_name: 'test', operation: 'bump' },
        ],
      },
    };
    expect((await postJson(server.mcpUrl, batch)).status).toBe(429);
  });

  it('applies a whole-tool limit to every operation of that tool', async () => {
    const server = await start({ RATE_LIMIT_MAX: '50', RATE_LIMIT_TOOLS: 'test=2' });
    expect((await postJson(server.mcpUrl, envelope('test', 'bump', {}))).status).toBe(200);
    expect((await postJson(server.mcpUrl, echo())).status).toBe(200);
    expect((await postJson(server.mcpUrl, mcpCall('test_echo', { text: 'x' }), MCP_HEADERS)).status).toBe(429);
    // Messages that call no tool are not counted against a tool's limit.
    const list = await postJson(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, MCP_HEADERS);
    expect(list.status).toBe(200);
  });

  it('refuses to start when RATE_LIMIT_TOOLS names something the server does not offer', async () => {
    await expect(start({ RATE_LIMIT_TOOLS: 'test.nope=3' })).rejects.toThrow(ConfigError);
    await expect(start({ RATE_LIMIT_TOOLS: 'nope=3' })).rejects.toThrow(/RATE_LIMIT_TOOLS/);
  });

  it('limits by client address before authentication, so guessing keys is throttled', async () => {
    const server = await start({ RATE_LIMIT_MAX: '100', RATE_LIMIT_IP_MAX: '3' });
    const wrong = { authorization: 'Bearer wrong-key-guess-000000' };
    expect(await sendMany(server.mcpUrl, 3, echo, wrong)).toEqual([401, 401, 401]);
    const limited = await postJson(server.mcpUrl, echo(), wrong);
    expect(limited.status).toBe(429);
    expect(limited.body.content.error).toMatch(/network address/);
    expect(limited.headers.get('www-authenticate')).toBeNull();
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says how many proxies to trust', async () => {
    const direct = await start({ RATE_LIMIT_MAX: '100', RATE_LIMIT_IP_MAX: '2' });
    // Security: a client cannot pick a new address per request when no proxy is trusted.
    const spoofed = [1, 2, 3].map((i) => ({ 'x-forwarded-for': `203.0.113.${i}`, authorization: 'Bearer nope-000000000000' }));
    const statuses = [];
    for (const headers of spoofed) statuses.push((await postJson(direct.mcpUrl, echo(), headers)).status);
    expect(statuses).toEqual([401, 401, 429]);

    const proxied = await start({ RATE_LIMIT_MAX: '100', RATE_LIMIT_IP_MAX: '2', TRUST_PROXY: '1' });
    const from = (ip: string) => ({ 'x-forwarded-for': ip, authorization: 'Bearer nope-000000000000' });
    expect((await postJson(proxied.mcpUrl, echo(), from('203.0.113.1'))).status).toBe(401);
    expect((await postJson(proxied.mcpUrl, echo(), from('203.0.113.1'))).status).toBe(401);
    expect((await postJson(proxied.mcpUrl, echo(), from('203.0.113.1'))).status).toBe(429);
    expect((await postJson(proxied.mcpUrl, echo(), from('203.0.113.2'))).status).toBe(401);
  });

  it('groups IPv6 clients by /56, so rotating addresses inside one allocation does not help', async () => {
    const server = await start({ RATE_LIMIT_MAX: '100', RATE_LIMIT_IP_MAX: '2', TRUST_PROXY: '1' });
    const from = (ip: string) => ({ 'x-forwarded-for': ip, authorization: 'Bearer nope-000000000000' });
    expect((await postJson(server.mcpUrl, echo(), from('2001:db8:0:1::1'))).status).toBe(401);
    expect((await postJson(server.mcpUrl, echo(), from('2001:db8:0:2a::99'))).status).toBe(401);
    expect((await postJson(server.mcpUrl, echo(), from('2001:db8:0:ff:abcd::1'))).status).toBe(429);
    expect((await postJson(server.mcpUrl, echo(), from('2001:db8:0:100::1'))).status).toBe(401);
  });

  it('without authentication, limits each client address instead of one shared "anonymous" caller', async () => {
    const server = await start({ AUTH_MODE: 'none', RATE_LIMIT_MAX: '2', TRUST_PROXY: '1' });
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    expect((await postJson(server.mcpUrl, echo(), from('198.51.100.1'))).status).toBe(200);
    expect((await postJson(server.mcpUrl, echo(), from('198.51.100.1'))).status).toBe(200);
    expect((await postJson(server.mcpUrl, echo(), from('198.51.100.1'))).status).toBe(429);
    expect((await postJson(server.mcpUrl, echo(), from('198.51.100.2'))).status).toBe(200);
  });

  it('RATE_LIMIT_MAX=0 turns rate limiting off', async () => {
    const server = await start({ RATE_LIMIT_MAX: '0' });
    const statuses = await sendMany(server.mcpUrl, 30, echo);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const last = await postJson(server.mcpUrl, echo());
    expect(last.headers.get('ratelimit')).toBeNull();
  });

  it('keeps limiting in-process, with no errors, when the configured Redis never answers', async () => {
    const port = await freePort();
    const server = await start({ RATE_LIMIT_MAX: '3', REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_TIMEOUT_MS: '200' });
    const started = performance.now();
    expect(await sendMany(server.mcpUrl, 4, echo)).toEqual([200, 200, 200, 429]);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describeWithRedis('rate limits shared through Redis', () => {
  const prefix = uniquePrefix('ratelimit');
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const env = { RATE_LIMIT_MAX: '4', REDIS_URL, REDIS_PREFIX: prefix };
    a = await startServer({ toolFactories: tools, env });
    b = await startServer({ toolFactories: tools, env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await dropPrefix(REDIS_URL, prefix);
  });

  it('is one limit across servers sharing Redis', async () => {
    expect((await postJson(a.mcpUrl, echo())).status).toBe(200);
    expect((await postJson(b.mcpUrl, echo())).status).toBe(200);
    expect((await postJson(a.mcpUrl, echo())).status).toBe(200);
    expect((await postJson(b.mcpUrl, echo())).status).toBe(200);
    expect((await postJson(a.mcpUrl, echo())).status).toBe(429);
    expect((await postJson(b.mcpUrl, echo())).status).toBe(429);
  });
});

describeWithRedisServer('rate limits when Redis goes away and comes back', () => {
  it('falls back to counting in-process, never fails a request, and counts in Redis again afterwards', async () => {
    const redis = await privateRedis();
    const prefix = uniquePrefix('rl-outage');
    const server = await startServer({
      toolFactories: tools,
      env: { RATE_LIMIT_MAX: '1000', REDIS_URL: redis.url, REDIS_PREFIX: prefix, REDIS_TIMEOUT_MS: '200' },
    });
    const { Redis } = await import('ioredis');
    const probe = async () => {
      const client = new Redis(redis.url, { lazyConnect: true });
      await client.connect();
      const keys = await client.keys(`${prefix}rl:caller:*`);
      const hits = keys.length ? Number(await client.get(keys[0]!)) : 0;
      client.disconnect();
      return hits;
    };
    try {
      await sendMany(server.mcpUrl, 3, echo);
      expect(await probe()).toBe(3);
      await redis.stop();
      const during = await sendMany(server.mcpUrl, 5, echo);
      expect(during).toEqual([200, 200, 200, 200, 200]);
      await redis.start();
      // Poll until the server has reconnected and counts in the (empty) restarted Redis again.
      const deadline = Date.now() + 10_000;
      let hits = 0;
      while (hits === 0 && Date.now() < deadline) {
        expect((await postJson(server.mcpUrl, echo())).status).toBe(200);
        hits = await probe();
      }
      expect(hits).toBeGreaterThan(0);
    } finally {
      await server.close();
      await redis.stop();
    }
  });
});

describe('pre-auth and caller limits together', () => {
  it('uses 5 × RATE_LIMIT_MAX per address by default', async () => {
    const server = await startServer({ toolFactories: tools, env: { RATE_LIMIT_MAX: '2' } });
    try {
      const response = await postJson(server.mcpUrl, echo(), { authorization: `Bearer ${ADMIN_KEY}` });
      expect(response.headers.get('ratelimit-policy')).toContain('"ip"; q=10');
    } finally {
      await server.close();
    }
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/index.js';
import { ADMIN_KEY, READER_KEY, connectClient, envelope, postJson, startServer, type TestServer } from '../helpers/server.js';
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

/** Servers started by a test, closed after it. */
const servers: TestServer[] = [];
async function start(env: Record<string, string>): Promise<TestServer> {
  const server = await startServer({ toolFactories: tools, env });
  servers.push(server);
  return server;
}
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

describe('rate limits (in-process)', () => {
  it('answers an envelope caller over the limit with 429, RATE_LIMITED, Retry-After and RateLimit headers', async () => {
    const server = await start({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' });
    expect(await sendMany(server.mcpUrl, 3, echo)).toEqual([200, 200, 200]);
    const request = envelope('test', 'echo', { text: 'x' }, { session_id: 's' });
    const limited = await postJson(server.mcpUrl, request);
    expect(limited.status).toBe(429);
    expect(limited.body.message_type).toBe('error');
    expect(limited.body.in_reply_to).toBe(request.message_id);
    expect(limited.body.content.code).toBe('RATE_LIMITED');
    expect(limited.body.content.error).toMatch(/at most 3 tool calls per 1 min/);
    expect(limited.body.metadata.session_id).toBe('s');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get('ratelimit')).toContain('"caller"; r=0');
    expect(limited.headers.get('ratelimit-policy')).toContain('"caller"; q=3; w=60');
  });

  it('names each limit in draft-8 headers, with one partition key per caller that never changes between requests', async () => {
    const server = await start({ RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' });
    const policyOf = async (key: string) => {
      const answer = await postJson(server.mcpUrl, echo(), { authorization: `Bearer ${key}` });
      expect(answer.status).toBe(200);
      return { limit: answer.headers.get('ratelimit') ?? '', policy: answer.headers.get('ratelimit-policy') ?? '' };
    };
    const first = await policyOf(ADMIN_KEY);
    const second = await policyOf(ADMIN_KEY);
    const other = await policyOf(READER_KEY);
    const pk = (policy: string) => /"caller"; q=5; w=60; pk=:([A-Za-z0-9+/=]+):/.exec(policy)?.[1];
    expect(first.limit).toMatch(/"caller"; r=4; t=\d+/);
    expect(second.limit).toMatch(/"caller"; r=3; t=\d+/);
    expect(pk(first.policy)).toBeDefined();
    expect(pk(second.policy)).toBe(pk(first.policy));
    expect(pk(other.policy)).toBeDefined();
    expect(pk(other.policy)).not.toBe(pk(first.policy));
    // The address limit is named too, in the same headers, ahead of the caller's.
    expect(first.policy.indexOf('"ip"')).toBeLessThan(first.policy.indexOf('"caller"'));
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
    expect((await postJson(server.mcpUrl, batch(3))).status).toBe(200);
    expect((await postJson(server.mcpUrl, echo())).status).toBe(200);
    expect((await postJson(server.mcpUrl, echo())).status).toBe(429);
    // A batch that would fit an empty window waits (429); it is not "too large".
    const server2 = await start({ RATE_LIMIT_MAX: '4' });
    expect((await postJson(server2.mcpUrl, batch(2))).status).toBe(200);
    expect((await postJson(server2.mcpUrl, batch(3))).status).toBe(429);
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

const batchOf = (n: number, operation = 'echo') => ({
  ...echo(),
  content: {
    batch: Array.from({ length: n }, (_, i) => ({
      tool_name: 'test',
      operation,
      parameters: operation === 'echo' ? { text: `b${i}` } : {},
    })),
  },
});
const rpc = (method: string, id?: number, params?: unknown) => ({
  jsonrpc: '2.0',
  ...(id === undefined ? {} : { id }),
  method,
  ...(params ? { params } : {}),
});

describe('tool calls and protocol traffic are separate budgets', () => {
  it('the official client’s handshake and listings do not use up RATE_LIMIT_MAX', async () => {
    const server = await start({ RATE_LIMIT_MAX: '2' });
    for (const version of ['2025-03-26', '2025-11-25', '2026-07-28'] as const) {
      const client = await connectClient(server.mcpUrl, version, READER_KEY);
      for (let i = 0; i < 2; i++) expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      if (version !== '2026-07-28') await client.ping(); // 2026-07-28 has no ping
      await client.close();
    }
    // Three handshakes, 6 listings and 2 pings later (within the default 10 × 2 protocol messages),
    // the credential still has both its calls.
    const client = await connectClient(server.mcpUrl, '2025-11-25', READER_KEY);
    try {
      for (let i = 0; i < 2; i++) {
        const result = await client.callTool({ name: 'test_echo', arguments: { text: `c${i}` } });
        expect(result.isError).toBeFalsy();
      }
      await expect(client.callTool({ name: 'test_echo', arguments: { text: 'one too many' } })).rejects.toThrow(/at most 2 tool calls/);
    } finally {
      await client.close();
    }
  });

  it('GET /mcp (405), notifications and ping cost nothing against tool calls', async () => {
    const server = await start({ RATE_LIMIT_MAX: '1', RATE_LIMIT_PROTOCOL_MAX: '100' });
    for (let i = 0; i < 5; i++) {
      const get = await fetch(server.mcpUrl, { headers: { authorization: `Bearer ${ADMIN_KEY}`, accept: 'text/event-stream' } });
      expect(get.status).toBe(405);
      expect((await postJson(server.mcpUrl, rpc('notifications/initialized'), MCP_HEADERS)).status).toBe(202);
      expect((await postJson(server.mcpUrl, rpc('ping', i), MCP_HEADERS)).status).toBe(200);
    }
    expect((await postJson(server.mcpUrl, mcpCall('test_echo', { text: 'a' }), MCP_HEADERS)).status).toBe(200);
    expect((await postJson(server.mcpUrl, mcpCall('test_echo', { text: 'b' }), MCP_HEADERS)).status).toBe(429);
  });

  it('protocol messages have their own limit, RATE_LIMIT_PROTOCOL_MAX, which leaves tool calls alone', async () => {
    const server = await start({ RATE_LIMIT_MAX: '5', RATE_LIMIT_PROTOCOL_MAX: '3' });
    for (let i = 0; i < 3; i++) expect((await postJson(server.mcpUrl, rpc('tools/list', i), MCP_HEADERS)).status).toBe(200);
    const limited = await postJson(server.mcpUrl, rpc('tools/list', 9), MCP_HEADERS);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ jsonrpc: '2.0', id: 9, error: { code: -32005 } });
    expect(limited.body.error.message).toMatch(/at most 3 protocol messages/);
    expect(limited.headers.get('ratelimit')).toContain('"protocol"; r=0');
    expect((await postJson(server.mcpUrl, mcpCall('test_echo', { text: 'still' }), MCP_HEADERS)).status).toBe(200);
    expect((await postJson(server.mcpUrl, echo())).status).toBe(200);
  });

  it('defaults the protocol limit to 10 × RATE_LIMIT_MAX', async () => {
    const server = await start({ RATE_LIMIT_MAX: '7' });
    const list = await postJson(server.mcpUrl, rpc('tools/list', 1), MCP_HEADERS);
    expect(list.headers.get('ratelimit-policy')).toContain('"protocol"; q=70');
    const call = await postJson(server.mcpUrl, echo());
    expect(call.headers.get('ratelimit-policy')).toContain('"caller"; q=7');
  });

  it('a JSON-RPC batch counts its tool calls against calls and its other messages against protocol', async () => {
    const server = await start({ RATE_LIMIT_MAX: '2', RATE_LIMIT_PROTOCOL_MAX: '3' });
    const batch = [rpc('ping', 1), mcpCall('test_echo', { text: 'a' }, 2), rpc('tools/list', 3), mcpCall('test_echo', { text: 'b' }, 4)];
    const first = await postJson(server.mcpUrl, batch, { 'mcp-protocol-version': '2025-03-26' });
    expect(first.status).toBe(200);
    expect((await postJson(server.mcpUrl, mcpCall('test_echo', { text: 'c' }), MCP_HEADERS)).status).toBe(429);
    expect((await postJson(server.mcpUrl, rpc('ping', 5), MCP_HEADERS)).status).toBe(200);
    expect((await postJson(server.mcpUrl, rpc('ping', 6), MCP_HEADERS)).status).toBe(429);
  });
});

describe('a request that can never fit a window', () => {
  it('an envelope batch bigger than RATE_LIMIT_MAX gets 413 saying so, and is not charged', async () => {
    const server = await start({ RATE_LIMIT_MAX: '10' });
    const request = { ...batchOf(20), metadata: { session_id: 's1' } };
    const refused = await postJson(server.mcpUrl, request);
    expect(refused.status).toBe(413);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(refused.body).toMatchObject({ message_type: 'error', in_reply_to: request.message_id, content: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(refused.body.content.error).toMatch(/20 tool calls, more than the 10 per 1 min.*never fit.*at most 10/);
    expect(refused.body.metadata.session_id).toBe('s1');
    // Nothing was charged: the whole budget is still there, and exactly the budget fits.
    expect((await postJson(server.mcpUrl, batchOf(10))).status).toBe(200);
    expect((await postJson(server.mcpUrl, echo())).status).toBe(429);
  });

  it('an envelope batch over BATCH_MAX_SIZE gets 413 and is not charged either', async () => {
    const server = await start({ RATE_LIMIT_MAX: '10', BATCH_MAX_SIZE: '5' });
    const refused = await postJson(server.mcpUrl, batchOf(8));
    expect(refused.status).toBe(413);
    expect(refused.body.content).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(refused.body.content.error).toMatch(/at most 5 operations/);
    // The whole budget is still there.
    for (let i = 0; i < 2; i++) expect((await postJson(server.mcpUrl, batchOf(5))).status).toBe(200);
    expect((await postJson(server.mcpUrl, echo())).status).toBe(429);
  });

  it('a JSON-RPC batch bigger than RATE_LIMIT_MAX gets a JSON-RPC 413 and is not charged', async () => {
    const server = await start({ RATE_LIMIT_MAX: '3' });
    const batch = [1, 2, 3, 4].map((id) => mcpCall('test_echo', { text: `t${id}` }, id));
    const refused = await postJson(server.mcpUrl, batch, { 'mcp-protocol-version': '2025-03-26' });
    expect(refused.status).toBe(413);
    expect(refused.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32006 } });
    expect(refused.body.error.message).toMatch(/4 tool calls.*never fit/);
    expect(await sendMany(server.mcpUrl, 3, () => mcpCall('test_echo', { text: 'x' }), MCP_HEADERS)).toEqual([200, 200, 200]);
  });

  it('a batch over a per-tool limit gets 413 naming the tool, and charges neither budget', async () => {
    const server = await start({ RATE_LIMIT_MAX: '50', RATE_LIMIT_TOOLS: 'test.bump=2' });
    const refused = await postJson(server.mcpUrl, batchOf(3, 'bump'));
    expect(refused.status).toBe(413);
    expect(refused.body.content.error).toMatch(/3 calls to test\.bump, more than the 2/);
    expect((await postJson(server.mcpUrl, batchOf(2, 'bump'))).status).toBe(200);
    expect((await postJson(server.mcpUrl, envelope('test', 'bump'))).status).toBe(429);
  });

  it('a batch of more protocol messages than RATE_LIMIT_PROTOCOL_MAX gets 413', async () => {
    const server = await start({ RATE_LIMIT_MAX: '5', RATE_LIMIT_PROTOCOL_MAX: '2' });
    const refused = await postJson(server.mcpUrl, [rpc('ping', 1), rpc('ping', 2), rpc('ping', 3)], {
      'mcp-protocol-version': '2025-03-26',
    });
    expect(refused.status).toBe(413);
    expect(refused.body.error.message).toMatch(/3 protocol messages/);
    expect((await postJson(server.mcpUrl, rpc('ping', 4), MCP_HEADERS)).status).toBe(200);
  });
});

describe('the per-address limit counts only requests that did not authenticate', () => {
  const wrong = { authorization: 'Bearer wrong-key-guess-000000' };

  it('many valid keys behind one address are never throttled by it', async () => {
    const server = await start({ RATE_LIMIT_MAX: '100', RATE_LIMIT_IP_MAX: '3' });
    for (let i = 0; i < 12; i++) {
      const key = i % 2 ? ADMIN_KEY : READER_KEY;
      expect((await postJson(server.mcpUrl, echo(), { authorization: `Bearer ${key}` })).status).toBe(200);
    }
    // Valid calls that fail for other reasons (a bad argument, an unknown tool) are still authenticated.
    expect((await postJson(server.mcpUrl, envelope('test', 'nope'))).status).toBe(404);
    expect((await postJson(server.mcpUrl, envelope('test', 'echo', { wrong: 1 }))).status).toBe(400);
    // The address still has its whole budget for failures.
    expect(await sendMany(server.mcpUrl, 3, echo, wrong)).toEqual([401, 401, 401]);
    expect((await postJson(server.mcpUrl, echo(), wrong)).status).toBe(429);
  });

  it('counts missing, malformed and wrong credentials alike', async () => {
    const server = await start({ RATE_LIMIT_MAX: '100', RATE_LIMIT_IP_MAX: '3' });
    expect((await postJson(server.mcpUrl, echo(), { authorization: '' })).status).toBe(401);
    expect((await postJson(server.mcpUrl, echo(), { authorization: 'Basic abc' })).status).toBe(401);
    expect((await postJson(server.mcpUrl, echo(), wrong)).status).toBe(401);
    const limited = await postJson(server.mcpUrl, echo(), wrong);
    expect(limited.status).toBe(429);
    expect(limited.body.content.error).toMatch(/unauthenticated or failed-authentication requests from your network address/);
  });

  it('once guesses have used the budget up, the address is refused before any key is checked', async () => {
    // Security: otherwise a guesser past the limit would still learn which guess is right.
    const server = await start({ RATE_LIMIT_MAX: '100', RATE_LIMIT_IP_MAX: '2' });
    expect(await sendMany(server.mcpUrl, 2, echo, wrong)).toEqual([401, 401]);
    const right = await postJson(server.mcpUrl, echo());
    expect(right.status).toBe(429);
  });
});

describeWithRedis('the new budgets shared through Redis', () => {
  const prefix = uniquePrefix('ratelimit-budgets');
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const env = { RATE_LIMIT_MAX: '3', RATE_LIMIT_PROTOCOL_MAX: '4', RATE_LIMIT_IP_MAX: '2', REDIS_URL, REDIS_PREFIX: prefix };
    a = await startServer({ toolFactories: tools, env });
    b = await startServer({ toolFactories: tools, env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await dropPrefix(REDIS_URL, prefix);
  });

  it('counts valid requests off the address limit, refuses never-fitting batches uncharged, and keeps two budgets', async () => {
    const { Redis } = await import('ioredis');
    const redis = new Redis(REDIS_URL!);
    const hits = async (limiter: string) => {
      const keys = await redis.keys(`${prefix}rl:${limiter}:*`);
      let total = 0;
      for (const key of keys) total += Number((await redis.get(key)) ?? 0);
      return total;
    };
    try {
      // Valid traffic through both replicas: the address counter ends where it started.
      for (const server of [a, b, a, b]) expect((await postJson(server.mcpUrl, rpc('tools/list', 1), MCP_HEADERS)).status).toBe(200);
      expect(await hits('ip')).toBe(0);
      expect(await hits('protocol')).toBe(4);
      expect((await postJson(b.mcpUrl, rpc('tools/list', 2), MCP_HEADERS)).status).toBe(429);
      // A batch over the call budget: refused on either replica, and nothing is counted.
      expect((await postJson(a.mcpUrl, batchOf(4))).status).toBe(413);
      expect(await hits('caller')).toBe(0);
      expect((await postJson(a.mcpUrl, batchOf(3))).status).toBe(200);
      expect((await postJson(b.mcpUrl, echo())).status).toBe(429);
      expect(await hits('caller')).toBeGreaterThanOrEqual(3);
      // Failed authentication is counted across replicas.
      const wrong = { authorization: 'Bearer wrong-key-guess-000000' };
      expect((await postJson(a.mcpUrl, echo(), wrong)).status).toBe(401);
      expect((await postJson(b.mcpUrl, echo(), wrong)).status).toBe(401);
      expect((await postJson(a.mcpUrl, echo(), wrong)).status).toBe(429);
    } finally {
      redis.disconnect();
    }
  });
});

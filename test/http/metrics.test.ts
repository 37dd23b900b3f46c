import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { parseOpsConfig } from '../../src/config/ops.js';
import { READ_ONLY, type ToolOperation } from '../../src/core/operation.js';
import type { ToolFactory } from '../../src/core/toolModule.js';
import { createSilentLogger } from '../../src/infra/logger.js';
import { recordDatabaseError, recordRateLimited, recordRedisError } from '../../src/infra/metrics.js';
import { createTestTool } from '../helpers/testTools.js';
import { ADMIN_KEY, TEST_KEYS, connectClient, envelope, postJson, startServer, type TestServer } from '../helpers/server.js';

/** A tool whose one operation waits until the test opens the gate: a request held in flight. */
function gatedTool() {
  let open: () => void = () => {};
  let entered: () => void = () => {};
  let gate = new Promise<void>((resolve) => (open = resolve));
  let inside = new Promise<void>((resolve) => (entered = resolve));
  const op: ToolOperation = {
    tool: 'gated',
    operation: 'wait',
    mcpName: 'gated_wait',
    title: 'Wait',
    description: 'Waits for the test.',
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    outputSchema: { type: 'object', properties: {} },
    annotations: READ_ONLY,
    scope: 'read',
    handler: async () => {
      entered();
      await gate;
      return {};
    },
  };
  const factory: ToolFactory = () => ({ name: 'gated', operations: [op] });
  return {
    factory,
    inside: () => inside,
    release: () => {
      open();
      gate = new Promise<void>((resolve) => (open = resolve));
      inside = new Promise<void>((resolve) => (entered = resolve));
    },
  };
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of the samples named `name` whose labels include `labels` (0 when there are none). */
function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function scrape(url: string): Promise<Sample[]> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  return parseMetrics(await response.text());
}

describe('GET /metrics', () => {
  let server: TestServer;
  const gated = gatedTool();
  beforeAll(async () => {
    server = await startServer({ toolFactories: [createTestTool, gated.factory] });
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves the Prometheus text format without auth, with process metrics', async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseMetrics(await response.text());
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(samples.some((s) => s.name === 'mcp_requests_in_flight')).toBe(true);
  });

  it('counts envelope requests and their duration by tool, operation and outcome', async () => {
    const labels = { dialect: 'envelope', tool: 'test', operation: 'echo', outcome: 'ok' };
    const before = await scrape(server.url);
    for (let i = 0; i < 3; i++) expect((await postJson(server.mcpUrl, envelope('test', 'echo', { text: `m${i}` }))).status).toBe(200);
    const crash = await postJson(server.mcpUrl, envelope('test', 'crash'));
    expect(crash.status).toBe(500);
    const after = await scrape(server.url);
    expect(sampleValue(after, 'mcp_requests_total', labels) - sampleValue(before, 'mcp_requests_total', labels)).toBe(3);
    expect(
      sampleValue(after, 'mcp_request_duration_seconds_count', labels) - sampleValue(before, 'mcp_request_duration_seconds_count', labels),
    ).toBe(3);
    const crashed = { dialect: 'envelope', tool: 'test', operation: 'crash', outcome: 'INTERNAL_ERROR' };
    expect(sampleValue(after, 'mcp_requests_total', crashed) - sampleValue(before, 'mcp_requests_total', crashed)).toBe(1);
    const calls = { tool: 'test', operation: 'crash', outcome: 'INTERNAL_ERROR' };
    expect(sampleValue(after, 'mcp_tool_calls_total', calls) - sampleValue(before, 'mcp_tool_calls_total', calls)).toBe(1);
  });

  it('labels MCP calls with the operation, not the JSON-RPC method, and counts other methods by name', async () => {
    const before = await scrape(server.url);
    const client = await connectClient(server.mcpUrl, '2025-11-25');
    try {
      await client.callTool({ name: 'test_echo', arguments: { text: 'via mcp' } });
      await client.listTools();
    } finally {
      await client.close();
    }
    const after = await scrape(server.url);
    const call = { dialect: 'mcp', tool: 'test', operation: 'echo', outcome: 'ok' };
    expect(sampleValue(after, 'mcp_requests_total', call) - sampleValue(before, 'mcp_requests_total', call)).toBe(1);
    const list = { dialect: 'mcp', tool: 'none', operation: 'tools/list', outcome: 'ok' };
    expect(sampleValue(after, 'mcp_requests_total', list) - sampleValue(before, 'mcp_requests_total', list)).toBe(1);
  });

  it('counts cache hits and misses of cacheable operations', async () => {
    const labels = { tool: 'test', operation: 'echo' };
    const before = await scrape(server.url);
    await postJson(server.mcpUrl, envelope('test', 'echo', { text: 'cache me' }));
    const second = await postJson(server.mcpUrl, envelope('test', 'echo', { text: 'cache me' }));
    expect(second.body.metadata._cached).toBe(true);
    // Invalid parameters fail before the cache is consulted: neither a hit nor a miss.
    await postJson(server.mcpUrl, envelope('test', 'echo', { text: 5 }));
    const after = await scrape(server.url);
    const delta = (result: string) =>
      sampleValue(after, 'mcp_cache_lookups_total', { ...labels, result }) -
      sampleValue(before, 'mcp_cache_lookups_total', { ...labels, result });
    expect(delta('hit')).toBe(1);
    expect(delta('miss')).toBe(1);
  });

  it('shows requests in flight while they run', async () => {
    const before = sampleValue(await scrape(server.url), 'mcp_requests_in_flight');
    const pending = postJson(server.mcpUrl, envelope('gated', 'wait'));
    await gated.inside();
    expect(sampleValue(await scrape(server.url), 'mcp_requests_in_flight')).toBe(before + 1);
    gated.release();
    expect((await pending).status).toBe(200);
    expect(sampleValue(await scrape(server.url), 'mcp_requests_in_flight')).toBe(before);
  });

  it('exports counters for rate-limit rejections and Redis/database errors, starting at zero', async () => {
    const before = await scrape(server.url);
    for (const name of ['mcp_rate_limited_total', 'mcp_redis_errors_total', 'mcp_database_errors_total']) {
      expect(before.some((s) => s.name === name)).toBe(true);
    }
    recordRateLimited('envelope');
    recordRateLimited('<script>');
    recordRedisError('connection');
    recordDatabaseError('postgres', 'connection');
    const after = await scrape(server.url);
    const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('mcp_rate_limited_total', { dialect: 'envelope' })).toBe(1);
    expect(delta('mcp_rate_limited_total', { dialect: 'unknown' })).toBe(1);
    expect(delta('mcp_redis_errors_total', { kind: 'connection' })).toBe(1);
    expect(delta('mcp_database_errors_total', { backend: 'postgres', kind: 'connection' })).toBe(1);
  });

  it('never turns caller-chosen names into labels (bounded cardinality)', async () => {
    const marker = `zz${Date.now().toString(36)}`;
    await postJson(server.mcpUrl, envelope(`${marker}_tool`, `${marker}_op`));
    await postJson(server.mcpUrl, envelope('test', `${marker}_op`));
    await postJson(
      `${server.mcpUrl}?${marker}=1`,
      { jsonrpc: '2.0', id: 1, method: `${marker}/method`, params: {} },
      { accept: 'application/json, text/event-stream' },
    );
    await postJson(
      server.mcpUrl,
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: `${marker}_tool`, arguments: {} } },
      { accept: 'application/json, text/event-stream' },
    );
    await postJson(server.mcpUrl, envelope('test', 'echo', { text: marker }), { authorization: `Bearer ${marker}-wrong-key` });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).not.toContain(marker);
    expect(text).not.toContain(ADMIN_KEY);
    const samples = parseMetrics(text);
    expect(
      sampleValue(samples, 'mcp_requests_total', { dialect: 'envelope', tool: 'unknown', operation: 'unknown', outcome: 'UNKNOWN_TOOL' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(samples, 'mcp_requests_total', {
        dialect: 'envelope',
        tool: 'unknown',
        operation: 'unknown',
        outcome: 'UNKNOWN_OPERATION',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'mcp_requests_total', { dialect: 'mcp', operation: 'other' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'mcp_requests_total', { dialect: 'envelope', outcome: 'UNAUTHORIZED' })).toBeGreaterThanOrEqual(1);
  });

  it('does not count probes and scrapes as MCP requests', async () => {
    const before = sampleValue(await scrape(server.url), 'mcp_requests_total');
    await fetch(`${server.url}/healthz`);
    await fetch(`${server.url}/readyz`);
    expect(sampleValue(await scrape(server.url), 'mcp_requests_total')).toBe(before);
  });
});

describe('METRICS_TOKEN', () => {
  const TOKEN = 'metrics-token-0123456789';
  let built: App;
  beforeAll(async () => {
    const env = {
      MCP_API_KEYS: TEST_KEYS,
      DATA_DIR: '/tmp/mcp-metrics-test-data',
      WORKSPACE_DIR: '/tmp/mcp-metrics-test-ws',
      METRICS_TOKEN: TOKEN,
    };
    built = await createApp({ config: loadConfig(env, '/tmp'), logger: createSilentLogger(), toolFactories: [] });
  });
  afterAll(async () => {
    await built.close();
  });

  // Security: with a token set, /metrics answers only to that exact bearer token.
  it('refuses scrapes without the exact token', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Basic ${TOKEN}`,
      `Bearer ${ADMIN_KEY}`,
      TOKEN,
    ]) {
      const req = request(built.app).get('/metrics');
      const response = await (authorization ? req.set('Authorization', authorization) : req);
      expect(response.status, authorization).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(response.text).not.toContain('process_cpu');
    }
  });

  it('serves the metrics with the token', async () => {
    const response = await request(built.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.text).toContain('mcp_requests_in_flight');
  });

  // Security: the DNS-rebinding guard covers /metrics like every other route.
  it('is behind the Host guard', async () => {
    const response = await request(built.app).get('/metrics').set('Host', 'evil.example').set('Authorization', `Bearer ${TOKEN}`);
    expect(response.status).toBe(403);
    expect(response.text).not.toContain('process_cpu');
  });
});

describe('operations configuration', () => {
  it('reads METRICS_TOKEN and SHUTDOWN_TIMEOUT_MS with defaults', () => {
    expect(parseOpsConfig({})).toEqual({ metricsToken: undefined, shutdownTimeoutMs: 10_000 });
    expect(parseOpsConfig({ METRICS_TOKEN: 'a-long-enough-token', SHUTDOWN_TIMEOUT_MS: '2500' })).toEqual({
      metricsToken: 'a-long-enough-token',
      shutdownTimeoutMs: 2500,
    });
  });

  it('refuses a short token and a bad deadline, naming the variable', () => {
    expect(() => parseOpsConfig({ METRICS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => parseOpsConfig({ METRICS_TOKEN: 'short' })).toThrow('METRICS_TOKEN');
    expect(() => parseOpsConfig({ SHUTDOWN_TIMEOUT_MS: 'soon' })).toThrow('SHUTDOWN_TIMEOUT_MS');
    expect(() => parseOpsConfig({ SHUTDOWN_TIMEOUT_MS: '-1' })).toThrow('SHUTDOWN_TIMEOUT_MS');
  });
});

import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolFactory } from '../../src/core/toolModule.js';
import { ADMIN_KEY, envelope, startServer, type TestServer } from '../helpers/server.js';
import { createTestTool } from '../helpers/testTools.js';

/** A tool that reports progress until it is cancelled: its SSE stream never ends by itself. */
const drip: ToolFactory = () => ({
  name: 'drip',
  operations: [
    {
      tool: 'drip',
      operation: 'forever',
      mcpName: 'drip_forever',
      title: 'Forever',
      description: 'Reports progress until cancelled.',
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
      outputSchema: { type: 'object', properties: {} },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      scope: 'read',
      timeoutMs: 60_000,
      handler: async (_p, ctx) => {
        for (let i = 1; !ctx.signal.aborted && i < 100_000; i++) {
          ctx.progress({ progress: i, message: 'x'.repeat(100) });
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        return {};
      },
    },
  ],
});

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function post(url: string, body: unknown, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const text = JSON.stringify(body);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          authorization: `Bearer ${ADMIN_KEY}`,
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

function decode(answer: RawAnswer): any {
  const encoding = answer.headers['content-encoding'];
  const raw = encoding === 'gzip' ? gunzipSync(answer.body) : encoding === 'br' ? brotliDecompressSync(answer.body) : answer.body;
  return JSON.parse(raw.toString('utf8'));
}

const LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
const PING = { jsonrpc: '2.0', id: 2, method: 'ping' };
const MCP = { accept: 'application/json', 'mcp-protocol-version': '2025-06-18' };

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ toolFactories: [createTestTool, drip] });
});
afterAll(async () => {
  await server.close();
});

describe('compressed JSON replies', () => {
  it.each([
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'gzip'],
    ['br, gzip', 'br'],
    ['gzip;q=0.5, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['*', 'br'],
  ])('Accept-Encoding %j → %s for a tools/list over 1 KiB, the same JSON once decoded', async (accept, expected) => {
    const plain = await post(server.mcpUrl, LIST, { ...MCP, 'accept-encoding': 'identity' });
    const packed = await post(server.mcpUrl, LIST, { ...MCP, 'accept-encoding': accept });
    expect(plain.body.length).toBeGreaterThan(1024);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(packed.headers['content-encoding']).toBe(expected);
    expect(packed.body.length).toBeLessThan(plain.body.length / 2);
    expect(Number(packed.headers['content-length'])).toBe(packed.body.length);
    expect(decode(packed)).toEqual(decode(plain));
    for (const answer of [plain, packed]) expect(String(answer.headers.vary)).toMatch(/accept-encoding/i);
  });

  it('compresses an envelope reply, and an envelope error, when they are large enough', async () => {
    const ok = await post(server.mcpUrl, envelope('discovery', 'get_tool_documentation', { tool_name: 'test' }), {
      'accept-encoding': 'gzip',
    });
    expect(ok.headers['content-encoding']).toBe('gzip');
    expect(decode(ok).message_type).toBe('response');
    const error = await post(server.mcpUrl, envelope('test', 'echo', { text: 'z'.repeat(2000) }), { 'accept-encoding': 'gzip' });
    expect(error.status).toBe(400);
    expect(decode(error).content.code).toBe('INVALID_REQUEST');
  });

  it('leaves replies under COMPRESS_MIN_BYTES alone (but still says they vary)', async () => {
    const small = await post(server.mcpUrl, PING, { ...MCP, 'accept-encoding': 'gzip, br' });
    expect(small.body.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(String(small.headers.vary)).toMatch(/accept-encoding/i);
    expect(decode(small).result).toEqual({});
  });

  it('sends nothing compressed to a client that did not ask, or refused every encoding', async () => {
    const variants: Record<string, string>[] = [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'gzip;q=0, br;q=0' }];
    for (const headers of variants) {
      const answer = await post(server.mcpUrl, LIST, { ...MCP, ...headers });
      expect(answer.headers['content-encoding']).toBeUndefined();
      expect(decode(answer).result.tools.length).toBeGreaterThan(0);
    }
  });

  it('never compresses an SSE stream: each event arrives while the call is still running', async () => {
    const controller = new AbortController();
    const response = await fetch(server.mcpUrl, {
      method: 'POST',
      signal: controller.signal,
      headers: {
        authorization: `Bearer ${ADMIN_KEY}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'accept-encoding': 'gzip, br',
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 9,
        method: 'tools/call',
        params: { name: 'drip_forever', arguments: {}, _meta: { progressToken: 'p' } },
      }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('content-encoding')).toBeNull();
    const reader = response.body!.getReader();
    let seen = '';
    // The tool never finishes on its own: a compressing or buffering layer would never deliver these.
    while ((seen.match(/notifications\/progress/g) ?? []).length < 3) {
      const { value, done } = await reader.read();
      expect(done).toBe(false);
      seen += new TextDecoder().decode(value);
    }
    controller.abort();
  });

  it('the official client works against it, and gets compressed replies', async () => {
    const encodings: (string | null)[] = [];
    const client = new Client({ name: 'compression-test', version: '1.0.0' }, { supportedProtocolVersions: ['2025-11-25'] });
    const transport = new StreamableHTTPClientTransport(new URL(server.mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${ADMIN_KEY}` } },
      fetch: async (url, init) => {
        const response = await fetch(url, init);
        encodings.push(response.headers.get('content-encoding'));
        return response;
      },
    });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('test_echo');
      const result = await client.callTool({ name: 'test_echo', arguments: { text: 'y'.repeat(1000) } });
      expect(JSON.stringify(result.structuredContent)).toContain('y'.repeat(1000));
    } finally {
      await client.close();
    }
    expect(encodings.filter((e) => e === 'br' || e === 'gzip').length).toBeGreaterThan(0);
  });
});

describe('COMPRESS_MIN_BYTES', () => {
  it('0 turns compression off', async () => {
    const off = await startServer({ toolFactories: [createTestTool], env: { COMPRESS_MIN_BYTES: '0' } });
    try {
      const answer = await post(off.mcpUrl, LIST, { ...MCP, 'accept-encoding': 'gzip, br' });
      expect(answer.headers['content-encoding']).toBeUndefined();
      expect(decode(answer).result.tools.length).toBeGreaterThan(0);
    } finally {
      await off.close();
    }
  });

  it('a higher threshold leaves a mid-sized reply uncompressed', async () => {
    const high = await startServer({ toolFactories: [createTestTool], env: { COMPRESS_MIN_BYTES: '100000000' } });
    try {
      const answer = await post(high.mcpUrl, LIST, { ...MCP, 'accept-encoding': 'gzip' });
      expect(answer.headers['content-encoding']).toBeUndefined();
    } finally {
      await high.close();
    }
  });
});

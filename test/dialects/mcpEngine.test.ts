import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTool } from '../helpers/testTools.js';
import { ADMIN_KEY, READER_KEY, connectClient, startServer, type TestServer } from '../helpers/server.js';

const BOTH = 'application/json, text/event-stream';
const V = '2025-11-25';

function post(server: TestServer, key: string, body: unknown, accept = BOTH) {
  return fetch(server.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${key}`, 'mcp-protocol-version': V },
    body: JSON.stringify(body),
  });
}

const echo = (id: unknown, text: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'test_echo', arguments: { text } },
});

/** Reads SSE `data:` messages until `stop` says the one wanted has come. */
async function readEvents(response: Response, stop: (m: any) => boolean, keepOpen = false): Promise<any[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const seen: any[] = [];
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return seen;
    buffer += decoder.decode(value, { stream: true });
    let cut = buffer.indexOf('\n\n');
    while (cut >= 0) {
      const data = buffer
        .slice(0, cut)
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('');
      buffer = buffer.slice(cut + 2);
      if (data) {
        const message = JSON.parse(data);
        seen.push(message);
        if (stop(message)) {
          if (!keepOpen) void reader.cancel().catch(() => undefined);
          return seen;
        }
      }
      cut = buffer.indexOf('\n\n');
    }
  }
}

describe.each(['engine', 'sdk'])('MCP_ENGINE=%s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ toolFactories: [createTestTool], env: { MCP_ENGINE: engine, MCP_CONFORMANCE_FIXTURES: 'true' } });
  });
  afterAll(async () => server.close());

  // Security (GHSA-345p-7cg4-v4c7): one Server serves every caller; replies must still reach only
  // the HTTP request that asked, even when callers pick the same JSON-RPC ids at the same time.
  it('never gives a caller a reply meant for another caller using the same id', async () => {
    const calls = [];
    for (let i = 0; i < 40; i++) {
      const key = i % 2 === 0 ? ADMIN_KEY : READER_KEY;
      const text = `caller-${i % 2}-call-${i}`;
      calls.push(
        post(server, key, echo(1, text)).then(async (response) => {
          const raw = await response.text();
          const message = raw.startsWith('{') ? JSON.parse(raw) : JSON.parse(/data: (.*)/.exec(raw)![1]!);
          return { text, message };
        }),
      );
    }
    for (const { text, message } of await Promise.all(calls)) {
      expect(message.id).toBe(1);
      expect(message.result.structuredContent.text).toBe(text);
    }
  });

  it('keeps the client’s id type and value', async () => {
    const body = await (await post(server, ADMIN_KEY, echo('abc', 'x'))).text();
    expect(body).toContain('"id":"abc"');
  });

  it('works for the official client, with progress', async () => {
    const client = await connectClient(server.mcpUrl, V);
    try {
      const seen: number[] = [];
      const result = await client.callTool({ name: 'test_count', arguments: { n: 3 } }, { onprogress: (p) => seen.push(p.progress) });
      expect(result.structuredContent).toEqual({ counted: 3 });
      expect(seen.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });
});

describe('the engine', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ toolFactories: [createTestTool], env: { MCP_CONFORMANCE_FIXTURES: 'true' } });
  });
  afterAll(async () => server.close());

  // The SDK engine cannot do this: its per-request Server is gone when the answer arrives.
  it('routes a 2025-era server→client request and the client’s answer (sampling)', async () => {
    const client = new Client({ name: 'sampler', version: '1.0.0' }, { capabilities: { sampling: {} }, supportedProtocolVersions: [V] });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${ADMIN_KEY}` } } }),
    );
    try {
      client.setRequestHandler('sampling/createMessage', async () => ({
        role: 'assistant',
        content: { type: 'text', text: 'pong from the client' },
        model: 'test-model',
      }));
      const result = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'ping' } });
      expect(result.content).toEqual([{ type: 'text', text: 'LLM response: pong from the client' }]);
    } finally {
      await client.close();
    }
  });
  it('answers application/json unless the call must stream', async () => {
    const plain = await post(server, ADMIN_KEY, echo(1, 'json'));
    expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await plain.json()).result.structuredContent.text).toBe('json');

    const withProgress = await post(server, ADMIN_KEY, {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'test_count', arguments: { n: 2 }, _meta: { progressToken: 'p' } },
    });
    expect(withProgress.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readEvents(withProgress, (m) => m.id === 2);
    expect(events.some((m) => m.method === 'notifications/progress' && m.params.progressToken === 'p')).toBe(true);
    expect(events.at(-1)).toMatchObject({ id: 2, result: { structuredContent: { counted: 2 } } });
  });

  // Security: the answer to a server→client request is accepted only from the caller it went to.
  it('refuses an answer to a server request from another caller', async () => {
    const call = await post(server, ADMIN_KEY, {
      jsonrpc: '2.0',
      id: 9,
      method: 'tools/call',
      params: { name: 'test_elicitation', arguments: { message: 'who?' } },
    });
    const [request] = await readEventsUntilRequest(call);
    expect(request).toMatchObject({ method: 'elicitation/create' });
    const answer = { jsonrpc: '2.0', id: request.id, result: { action: 'accept', content: { username: 'mallory', email: 'm@x' } } };
    expect((await post(server, READER_KEY, answer)).status).toBe(400);
    expect((await post(server, ADMIN_KEY, { ...answer, result: { action: 'decline' } })).status).toBe(202);
    // Answered once: a second answer finds nothing waiting.
    expect((await post(server, ADMIN_KEY, answer)).status).toBe(400);
  });

  async function readEventsUntilRequest(response: Response) {
    // The stream stays open: hanging up would cancel the call and its request.
    const events = await readEvents(response, (m) => typeof m.method === 'string' && m.id !== undefined, true);
    return events.filter((m) => m.method === 'elicitation/create');
  }

  it('fails a server request at once for a client that accepts only JSON', async () => {
    const response = await post(
      server,
      ADMIN_KEY,
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'test_sampling', arguments: { prompt: 'x' } } },
      'application/json',
    );
    const body = await response.json();
    expect(body.result.content[0].text).toMatch(/Sampling not supported or error: .*accepts only application\/json/);
  });

  it('stops the call when its client hangs up', async () => {
    const controller = new AbortController();
    const pending = fetch(server.mcpUrl, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', accept: BOTH, authorization: `Bearer ${ADMIN_KEY}`, 'mcp-protocol-version': V },
      body: JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'test_slow', arguments: {} } }),
    }).catch(() => undefined);
    setTimeout(() => controller.abort(), 50);
    await pending;
    // The server keeps serving afterwards (the aborted call did not wedge the shared Server).
    expect((await (await post(server, ADMIN_KEY, echo(5, 'after'))).json()).result.structuredContent.text).toBe('after');
  });
});

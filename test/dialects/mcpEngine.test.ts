import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTool } from '../helpers/testTools.js';
import { ADMIN_KEY, READER_KEY, connectClient, startServer, type TestServer } from '../helpers/server.js';

const BOTH = 'application/json, text/event-stream';
const V = '2025-11-25';
const MODERN = '2026-07-28';

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

const COUNT_WITH_PROGRESS = {
  jsonrpc: '2.0',
  id: 2,
  method: 'tools/call',
  params: { name: 'test_count', arguments: { n: 2 }, _meta: { progressToken: 'p' } },
};

/** The answer to COUNT_WITH_PROGRESS: a stream with its progress, then the result. */
async function expectProgressStream(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events = await readEvents(response, (m) => m.id === 2);
  expect(events.some((m) => m.method === 'notifications/progress' && m.params.progressToken === 'p')).toBe(true);
  expect(events.at(-1)).toMatchObject({ id: 2, result: { structuredContent: { counted: 2 } } });
}

async function expectOfficialClientProgress(server: TestServer, version: typeof V | typeof MODERN) {
  const client = await connectClient(server.mcpUrl, version);
  try {
    const seen: number[] = [];
    const result = await client.callTool({ name: 'test_count', arguments: { n: 3 } }, { onprogress: (p) => seen.push(p.progress) });
    expect(result.structuredContent).toEqual({ counted: 3 });
    expect(seen.length).toBeGreaterThan(0);
  } finally {
    await client.close();
  }
}

/** The official 2025-era client, able to sample: it answers every sampling request with `reply`. */
async function connectSampler(server: TestServer, reply: string): Promise<Client> {
  const client = new Client({ name: 'sampler', version: '1.0.0' }, { capabilities: { sampling: {} }, supportedProtocolVersions: [V] });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${ADMIN_KEY}` } } }),
  );
  client.setRequestHandler('sampling/createMessage', async () => ({
    role: 'assistant',
    content: { type: 'text', text: reply },
    model: 'test-model',
  }));
  return client;
}

const ENVELOPE = { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} };

/** A 2026-07-28 request: the `_meta` envelope in the body, the SEP-2243 headers beside it. */
function postModern(server: TestServer, key: string, message: any, headers: Record<string, string | undefined> = {}) {
  const name = message.params?.name ?? message.params?.uri;
  const all: Record<string, string | undefined> = {
    'content-type': 'application/json',
    accept: BOTH,
    authorization: `Bearer ${key}`,
    'mcp-protocol-version': MODERN,
    'mcp-method': message.method,
    'mcp-name': name,
    ...headers,
  };
  return fetch(server.mcpUrl, {
    method: 'POST',
    headers: Object.fromEntries(Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    body: JSON.stringify({ ...message, params: { ...message.params, _meta: { ...ENVELOPE, ...message.params?._meta } } }),
  });
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
    await expectOfficialClientProgress(server, V);
  });

  describe('on 2026-07-28', () => {
    // Security (GHSA-345p-7cg4-v4c7): the 2026-07-28 era has its own shared Server; the same rule holds.
    it('never gives a caller a reply meant for another caller using the same id', async () => {
      // Counting yields between steps, so the 40 calls are in flight together.
      const calls = [];
      for (let n = 1; n <= 40; n++) {
        const key = n % 2 === 0 ? ADMIN_KEY : READER_KEY;
        const count = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'test_count', arguments: { n } } };
        calls.push(postModern(server, key, count).then(async (response) => ({ n, message: await response.json() })));
      }
      for (const { n, message } of await Promise.all(calls)) {
        expect(message.id).toBe(1);
        expect(message.result.structuredContent.counted).toBe(n);
      }
    });

    it('keeps the client’s id and answers JSON unless the call streams progress', async () => {
      const plain = await postModern(server, ADMIN_KEY, echo('abc', 'json'));
      expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
      const body = await plain.json();
      expect(body.id).toBe('abc');
      expect(body.result._meta['io.modelcontextprotocol/serverInfo'].name).toBe('mcp-tool-server');

      await expectProgressStream(await postModern(server, ADMIN_KEY, COUNT_WITH_PROGRESS));
    });

    it('serves the official 2026-07-28 client, with progress', async () => {
      await expectOfficialClientProgress(server, MODERN);
    });

    // The SDK's gates answer, with their HTTP status, whichever engine serves the era.
    it('gives the SDK’s answers to requests its gates refuse', async () => {
      const unknown = await postModern(server, ADMIN_KEY, { jsonrpc: '2.0', id: 5, method: 'nope/nope', params: {} });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ id: 5, error: { code: -32601 } });

      const noName = await postModern(server, ADMIN_KEY, echo(6, 'x'), { 'mcp-name': undefined });
      expect(noName.status).toBe(400);
      expect((await noName.json()).error.code).toBe(-32020);

      const otherName = await postModern(server, ADMIN_KEY, echo(7, 'x'), { 'mcp-name': 'test_count' });
      expect(otherName.status).toBe(400);
      expect((await otherName.json()).error.code).toBe(-32020);

      const badEnvelope = await postModern(server, ADMIN_KEY, {
        jsonrpc: '2.0',
        id: 8,
        method: 'tools/list',
        params: { _meta: { 'io.modelcontextprotocol/clientCapabilities': 5 } },
      });
      expect(badEnvelope.status).toBe(400);
      expect((await badEnvelope.json()).error.code).toBe(-32602);

      // A Base64-wrapped Mcp-Name is the same name: served.
      const wrapped = await postModern(server, ADMIN_KEY, echo(9, 'b64'), {
        'mcp-name': `=?base64?${Buffer.from('test_echo').toString('base64')}?=`,
      });
      expect(wrapped.status).toBe(200);
      expect((await wrapped.json()).result.structuredContent.text).toBe('b64');
    });

    // One Server serves every caller: what a client may be asked comes from each request's envelope.
    it('reads the client’s capabilities from each request, not from an earlier one', async () => {
      const ask = (capabilities: Record<string, unknown>, id: number) =>
        postModern(server, ADMIN_KEY, {
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: {
            name: 'test_input_required_result_elicitation',
            arguments: {},
            _meta: { 'io.modelcontextprotocol/clientCapabilities': capabilities },
          },
        });
      const capable = await ask({ elicitation: {} }, 1);
      expect(capable.status).toBe(200);
      expect((await capable.json()).result).toMatchObject({ resultType: 'input_required' });

      const incapable = await ask({}, 2);
      expect(incapable.status).toBe(400);
      expect((await incapable.json()).error.code).toBe(-32021);

      expect((await (await ask({ elicitation: {} }, 3)).json()).result.resultType).toBe('input_required');
    });

    it('keeps serving after a client hangs up mid-call', async () => {
      const controller = new AbortController();
      const pending = fetch(server.mcpUrl, {
        method: 'POST',
        signal: controller.signal,
        headers: {
          'content-type': 'application/json',
          accept: BOTH,
          authorization: `Bearer ${ADMIN_KEY}`,
          'mcp-protocol-version': MODERN,
          'mcp-method': 'tools/call',
          'mcp-name': 'test_slow',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 4,
          method: 'tools/call',
          params: { name: 'test_slow', arguments: {}, _meta: ENVELOPE },
        }),
      }).catch(() => undefined);
      setTimeout(() => controller.abort(), 50);
      await pending;
      expect((await (await postModern(server, ADMIN_KEY, echo(5, 'after'))).json()).result.structuredContent.text).toBe('after');
    });
  });
});

describe('the engine', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ toolFactories: [createTestTool], env: { MCP_CONFORMANCE_FIXTURES: 'true' } });
  });
  afterAll(async () => server.close());

  // The SDK engine cannot do this: its per-request Server is gone when the answer arrives.
  // Security: initialize writes the client's capabilities onto the Server that answers it, and
  // logging/setLevel the log level; no other caller's request may ever see either.
  it('keeps what an initialize or logging/setLevel writes away from every other request', async () => {
    const initialize = (id: number, protocolVersion: string) => ({
      jsonrpc: '2.0',
      id,
      method: 'initialize',
      params: { protocolVersion, capabilities: {}, clientInfo: { name: `other-${id}`, version: '1.0.0' } },
    });
    const replyTo = async (response: Response, id: number) => {
      expect(response.status).toBe(200);
      if (response.headers.get('content-type')?.startsWith('text/event-stream'))
        return (await readEvents(response, (m) => m.id === id)).at(-1);
      return response.json();
    };
    // A client that can sample connects (its own initialize) ...
    const client = await connectSampler(server, 'still mine');
    try {
      // ... then another caller handshakes twice at once (each answered with the version it asked
      // for), declaring no capabilities, and asks for nothing below emergency in the logs.
      const [early, late] = await Promise.all([
        post(server, READER_KEY, initialize(1, '2025-03-26')).then((r) => replyTo(r, 1)),
        post(server, READER_KEY, initialize(2, '2025-06-18')).then((r) => replyTo(r, 2)),
      ]);
      expect(early.result.protocolVersion).toBe('2025-03-26');
      expect(late.result.protocolVersion).toBe('2025-06-18');
      const setLevel = await post(server, READER_KEY, {
        jsonrpc: '2.0',
        id: 3,
        method: 'logging/setLevel',
        params: { level: 'emergency' },
      });
      expect((await replyTo(setLevel, 3)).result).toEqual({});
      // The first client still gets its sampling request and its info log lines.
      const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'ping' } });
      expect(sampled.content).toEqual([{ type: 'text', text: 'LLM response: still mine' }]);
      const logs: unknown[] = [];
      client.setNotificationHandler('notifications/message', (notification) => {
        logs.push(notification.params.data);
      });
      await client.callTool({ name: 'test_logging_tool', arguments: {} });
      expect(logs).toContain('test_logging_tool ran');
    } finally {
      await client.close();
    }
  });

  it('routes a 2025-era server→client request and the client’s answer (sampling)', async () => {
    const client = await connectSampler(server, 'pong from the client');
    try {
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

    await expectProgressStream(await post(server, ADMIN_KEY, COUNT_WITH_PROGRESS));
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

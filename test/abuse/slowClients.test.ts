import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nestingDepthExceeds } from '../../src/http/jsonBody.js';
import { ADMIN_KEY, envelope, postJson, startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    env: { REQUEST_TIMEOUT_MS: '600', HEADERS_TIMEOUT_MS: '500', BODY_LIMIT_BYTES: '2048', RATE_LIMIT_MAX: '0' },
  });
});
afterAll(async () => {
  await server.close();
});

/** Opens a raw socket, writes `head` and then nothing more; resolves with what the server sent and when it closed. */
function stall(head: string): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(server.url);
    const started = Date.now();
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(head));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error('server kept a stalled connection open for 10 s'));
    });
  });
}

describe('slow and abusive clients', () => {
  it('cuts off a client that sends its body too slowly (slowloris)', async () => {
    const { text } = await stall(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"message_id":`,
    );
    expect(text === '' || /^HTTP\/1\.1 408/.test(text)).toBe(true);
  });

  it('cuts off a client that never finishes its headers', async () => {
    const { text } = await stall('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    expect(text === '' || /^HTTP\/1\.1 408/.test(text)).toBe(true);
  });

  it('refuses an announced oversized body before reading it', async () => {
    const { text } = await stall(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{`,
    );
    expect(text).toMatch(/^HTTP\/1\.1 413/);
  });

  it('refuses a streamed oversized body (no Content-Length) with 413', async () => {
    const chunks = ['{"a":"', 'x'.repeat(4096), '"}'];
    const response = await fetch(server.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(next));
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it('measures nesting without parsing, ignoring brackets inside strings', () => {
    expect(nestingDepthExceeds('[[[1]]]', 3)).toBe(false);
    expect(nestingDepthExceeds('[[[[1]]]]', 3)).toBe(true);
    expect(nestingDepthExceeds('{"a":"[[[[[[[[\\"]]"}', 2)).toBe(false);
  });

  it('keeps serving other callers while a connection is stalled', async () => {
    const stalled = stall(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{`);
    const { status } = await postJson(server.mcpUrl, envelope('discovery', 'list_tools'));
    expect(status).toBe(200);
    await stalled;
  });
});

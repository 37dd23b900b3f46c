import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startServer, type TestServer } from '../helpers/server.js';
import { arbitraryFor, broken } from './schemaArbitrary.js';

// Fixed seed and bounded runs: the suite is deterministic and fast; `npm run fuzz` runs longer.
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

let server: TestServer;
let canary: string;
beforeAll(async () => {
  server = await startServer({ env: { CALL_TIMEOUT_MS: '5000', RATE_LIMIT_MAX: '0' } });
  // A sibling of the workspace: nothing a request does may create files here.
  canary = path.join(path.dirname(server.workspaceDir), 'outside');
  mkdirSync(canary, { recursive: true });
  writeFileSync(path.join(canary, 'keep.txt'), 'untouched');
});
afterAll(async () => {
  await server?.close();
});

const BOTH = 'application/json, text/event-stream';

/** Every reply must be well-formed for the dialect it was answered in, and never a 500 unless deliberate. */
function assertWellFormed(status: number, text: string, contentType: string | null): void {
  expect(status, text).not.toBe(0);
  if (status === 202 && text === '') return;
  if ((contentType ?? '').includes('text/event-stream')) {
    expect(text).toMatch(/data: /);
    return;
  }
  const body = JSON.parse(text);
  const messages = Array.isArray(body) ? body : [body];
  for (const message of messages) {
    if (message.jsonrpc !== undefined) {
      expect(message.jsonrpc).toBe('2.0');
      expect('result' in message || 'error' in message).toBe(true);
      if (message.error) expect(typeof message.error.code).toBe('number');
    } else {
      expect(['response', 'error']).toContain(message.message_type);
      if (message.message_type === 'error') {
        expect(typeof message.content.code).toBe('string');
        if (status === 500) expect(message.content.code).toBe('INTERNAL_ERROR');
      }
    }
  }
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack traces
  expect(text).not.toContain(path.dirname(server.workspaceDir)); // no server-absolute paths
}

async function send(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(server.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}`, accept: BOTH, ...headers },
    body,
  });
  const text = await response.text();
  assertWellFormed(response.status, text, response.headers.get('content-type'));
  return response.status;
}

describe('fuzzing the endpoint (fixed seed, bounded)', () => {
  it('answers arbitrary JSON bodies with well-formed replies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        await send(JSON.stringify(value));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('answers arbitrary bytes and random headers with well-formed replies', async () => {
    const header = fc.constantFrom(
      'content-type',
      'accept',
      'mcp-protocol-version',
      'mcp-method',
      'mcp-name',
      'mcp-session-id',
      'origin',
      'x-request-id',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.dictionary(
          header,
          fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
          { maxKeys: 3 },
        ),
        async (raw, headers) => {
          await send(raw, headers);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('answers mutated JSON-RPC messages and envelopes with well-formed replies', async () => {
    const rpc = fc.record(
      {
        jsonrpc: fc.constantFrom('2.0', '1.0', 2),
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constant(null)),
        method: fc.constantFrom('initialize', 'tools/list', 'tools/call', 'ping', 'server/discover', 'resources/list', 'nope'),
        params: fc.oneof(
          fc.constant(undefined),
          fc.jsonValue({ maxDepth: 3 }),
          fc.record({ name: fc.constantFrom('list_tools', 'read_file', 'query', 'search', 'x'), arguments: fc.jsonValue({ maxDepth: 3 }) }),
        ),
      },
      { requiredKeys: ['jsonrpc', 'method'] },
    );
    const env = fc.record(
      {
        message_id: fc.oneof(fc.string({ maxLength: 20 }), fc.integer()),
        timestamp: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string({ maxLength: 10 }),
        ),
        source: fc.string({ maxLength: 10 }),
        destination: fc.string({ maxLength: 10 }),
        message_type: fc.constantFrom('request', 'response', 'error', 'x'),
        content: fc.oneof(
          fc.record({
            tool_name: fc.constantFrom('file_system', 'database', 'web_search', 'discovery', 'nope'),
            operation: fc.string({ maxLength: 20 }),
            parameters: fc.jsonValue({ maxDepth: 3 }),
          }),
          fc.jsonValue({ maxDepth: 3 }),
        ),
        metadata: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(rpc, env, fc.array(rpc, { maxLength: 3 })), async (message) => {
        await send(JSON.stringify(message), { 'mcp-protocol-version': '2025-03-26' });
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });

  it('runs every tool with schema-generated and broken arguments without an unplanned failure', async () => {
    const operations = server.built.registry.list();
    expect(operations.length).toBeGreaterThan(2);
    for (const { op } of operations) {
      if (op.tool === 'web_search' && op.operation === 'fetch') continue; // network egress is covered by its SSRF tests
      const valid = arbitraryFor(op.inputSchema);
      await fc.assert(
        fc.asyncProperty(fc.oneof(valid, broken(valid)), fc.boolean(), async (args, viaEnvelope) => {
          const body = viaEnvelope
            ? {
                message_id: 'm',
                timestamp: new Date().toISOString(),
                source: 'model',
                destination: 'tool',
                message_type: 'request',
                content: { tool_name: op.tool, operation: op.operation, parameters: args },
              }
            : { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: op.mcpName, arguments: args } };
          const status = await send(JSON.stringify(body), { accept: 'application/json' });
          expect(status, `${op.mcpName} ${JSON.stringify(args)}`).not.toBe(500);
        }),
        { seed: SEED, numRuns: Math.max(10, Math.floor(RUNS / 3)) },
      );
    }
    // Nothing escaped the workspace.
    expect(readdirSync(canary)).toEqual(['keep.txt']);
    // Bounded by its run counts; the time limit only has to survive a machine loaded far past its cores.
  }, 180_000);

  it('keeps memory bounded across the fuzz run', () => {
    expect(process.memoryUsage().rss).toBeLessThan(1024 * 1024 * 1024);
  });
});

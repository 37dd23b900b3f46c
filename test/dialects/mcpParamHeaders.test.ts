import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerMismatch, mirroredArguments } from '../../src/dialects/mcp/mcpParamHeaders.js';
import { connectClient, postJson, startServer, type TestServer } from '../helpers/server.js';

const schema = { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, level: { type: 'integer' } } };
const declared = mirroredArguments(schema);
const check = (args: Record<string, unknown> | undefined, header?: string) =>
  headerMismatch(declared, args, (name) => (name === 'mcp-param-region' ? header : undefined));
const b64 = (text: string) => `=?base64?${Buffer.from(text).toString('base64')}?=`;

describe('SEP-2243 Mcp-Param-* headers', () => {
  it('finds the mirrored arguments of a schema', () => {
    expect(declared).toEqual([['region', 'Region']]);
    expect(mirroredArguments({ type: 'object' })).toEqual([]);
  });

  it('accepts a header equal to the argument, literal or Base64', () => {
    expect(check({ region: 'Hello' }, 'Hello')).toBeUndefined();
    expect(check({ region: 'Hello' }, b64('Hello'))).toBeUndefined();
    expect(check({ region: 'Grüße' }, b64('Grüße'))).toBeUndefined();
    // Without the full =?base64?…?= wrapper the value is literal.
    expect(check({ region: '=?base64?SGVsbG8=' }, '=?base64?SGVsbG8=')).toBeUndefined();
    expect(check({ level: 3 })).toBeUndefined();
  });

  it('refuses a missing header, a different value, a header without the argument and bad Base64', () => {
    expect(check({ region: 'eu' })).toMatch(/must be mirrored/);
    expect(check({ region: 'eu' }, 'us')).toMatch(/does not match/);
    expect(check({}, 'eu')).toMatch(/absent/);
    expect(check({ region: 'Hello' }, '=?base64?SGVsbG8?=')).toMatch(/not valid Base64/);
    expect(check({ region: 'Hello' }, '=?base64?SGVs!!!bG8=?=')).toMatch(/not valid Base64/);
  });
});

describe.each(['engine', 'sdk'])('SEP-2243 over HTTP (MCP_ENGINE=%s)', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { MCP_ENGINE: engine, MCP_CONFORMANCE_FIXTURES: 'true' } });
  });
  afterAll(async () => server.close());

  it('lets the official 2026-07-28 client call a tool with a mirrored argument', async () => {
    const client = await connectClient(server.mcpUrl, '2026-07-28');
    try {
      const result = await client.callTool({ name: 'test_x_mcp_header', arguments: { region: 'eu-west' } });
      expect(result.content).toEqual([{ type: 'text', text: 'region=eu-west' }]);
    } finally {
      await client.close();
    }
  });

  // Security: an intermediary routes on the header, the tool runs on the body; they must agree.
  it('refuses a call whose Mcp-Param header disagrees with the argument, or is missing', async () => {
    const call = (headers: Record<string, string>) =>
      postJson(
        server.mcpUrl,
        {
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: {
            name: 'test_x_mcp_header',
            arguments: { region: 'eu-west' },
            _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} },
          },
        },
        {
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2026-07-28',
          'mcp-method': 'tools/call',
          'mcp-name': 'test_x_mcp_header',
          ...headers,
        },
      );
    for (const headers of [{ 'mcp-param-region': 'us-east' }, {}] as Array<Record<string, string>>) {
      const refused = await call(headers);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ id: 7, error: { code: -32020 } });
    }
    const served = await call({ 'mcp-param-region': b64('eu-west') });
    expect(served.status).toBe(200);
    expect(served.body.result.content).toEqual([{ type: 'text', text: 'region=eu-west' }]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerMismatch, mirroredArguments } from '../../src/dialects/mcp/mcpParamHeaders.js';
import { connectClient, startServer, type TestServer } from '../helpers/server.js';

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

describe('SEP-2243 over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { MCP_CONFORMANCE_FIXTURES: 'true' } });
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
});

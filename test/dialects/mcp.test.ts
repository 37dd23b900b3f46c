import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTool } from '../helpers/testTools.js';
import {
  ADMIN_KEY,
  READER_KEY,
  connectClient,
  postJson,
  rawPost,
  startServer,
  type ClientVersion,
  type TestServer,
} from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ toolFactories: [createTestTool] });
});
afterAll(async () => {
  await server.close();
});

const BOTH = 'application/json, text/event-stream';

function initialize(version: string, name = 'raw-client') {
  return {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: version, capabilities: {}, clientInfo: { name, version: '1.0.0' } },
  };
}

describe.each<ClientVersion>(['2025-03-26', '2025-11-25', '2026-07-28'])('official MCP client on %s', (version) => {
  it('lists the tools and calls discovery', async () => {
    const client = await connectClient(server.mcpUrl, version);
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe(version);
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      expect(names.slice(0, 2)).toEqual(['list_tools', 'get_tool_documentation']);
      const listTools = tools.find((t) => t.name === 'list_tools')!;
      expect(listTools.annotations).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      });
      expect(listTools.title).toBe('List tools');
      expect(listTools.outputSchema?.type).toBe('object');

      const result = await client.callTool({ name: 'list_tools', arguments: {} });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({
        tools: [
          { name: 'discovery', operations: ['list_tools', 'get_tool_documentation'] },
          { name: 'test', operations: ['echo', 'bump', 'slow', 'crash', 'count'] },
        ],
      });
      const text = (result.content as { type: string; text: string }[])[0]!;
      expect(JSON.parse(text.text)).toEqual(result.structuredContent);

      const doc = await client.callTool({ name: 'get_tool_documentation', arguments: { tool_name: 'test' } });
      expect((doc.structuredContent as any).operations[0]).toMatchObject({ name: 'echo', mcp_name: 'test_echo', read_only: true });
    } finally {
      await client.close();
    }
  });

  it('reports invalid arguments and tool failures as isError results', async () => {
    const client = await connectClient(server.mcpUrl, version);
    try {
      const invalid = await client.callTool({ name: 'test_echo', arguments: { text: 5 } });
      expect(invalid.isError).toBe(true);
      expect((invalid.content as any)[0].text).toContain('parameters.text');
      const crash = await client.callTool({ name: 'test_crash', arguments: {} });
      expect(crash.isError).toBe(true);
      expect((crash.content as any)[0].text).not.toContain('passwd');
      const timeout = await client.callTool({ name: 'test_slow', arguments: {} });
      expect(timeout.isError).toBe(true);
      expect((timeout.content as any)[0].text).toContain('TIMEOUT');
    } finally {
      await client.close();
    }
  });

  it('answers an unknown tool with a protocol error', async () => {
    const client = await connectClient(server.mcpUrl, version);
    try {
      await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow(/Unknown tool/);
    } finally {
      await client.close();
    }
  });

  it('sends progress notifications when asked', async () => {
    const client = await connectClient(server.mcpUrl, version);
    try {
      const seen: number[] = [];
      const result = await client.callTool({ name: 'test_count', arguments: { n: 3 } }, { onprogress: (p) => seen.push(p.progress) });
      expect(result.structuredContent).toEqual({ counted: 3 });
      expect(seen).toEqual([1, 2, 3]);
    } finally {
      await client.close();
    }
  });
});

describe('MCP transport rules', () => {
  it('hides write tools from a read-only key and refuses to call them', async () => {
    const client = await connectClient(server.mcpUrl, '2025-11-25', READER_KEY);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('test_echo');
      expect(names).not.toContain('test_bump');
      await expect(client.callTool({ name: 'test_bump', arguments: {} })).rejects.toThrow(/Unknown tool/);
    } finally {
      await client.close();
    }
  });

  it('answers a foreign Origin with 403 and lets loopback origins and no Origin through', async () => {
    const evil = await postJson(server.mcpUrl, initialize('2025-11-25'), { accept: BOTH, origin: 'https://evil.example.com' });
    expect(evil.status).toBe(403);
    expect(evil.body.error.message).toContain('Origin');
    const local = await postJson(server.mcpUrl, initialize('2025-11-25'), { accept: BOTH, origin: 'http://localhost:6274' });
    expect(local.status).toBe(200);
  });

  it('answers a rebinding Host with 403', async () => {
    const headers = { 'content-type': 'application/json', accept: BOTH, authorization: `Bearer ${ADMIN_KEY}` };
    const evil = await rawPost(server.mcpUrl, JSON.stringify(initialize('2025-11-25')), {
      ...headers,
      host: 'evil.example.com',
      origin: 'http://evil.example.com',
    });
    expect(evil.status).toBe(403);
    const local = await rawPost(server.mcpUrl, JSON.stringify(initialize('2025-11-25')), {
      ...headers,
      host: `localhost:${new URL(server.url).port}`,
    });
    expect(local.status).toBe(200);
  });

  it('answers Accept: application/json alone (or no Accept) with plain JSON, not 406', async () => {
    for (const accept of ['application/json', '*/*', undefined]) {
      const headers: Record<string, string> = accept ? { accept } : {};
      const init = await postJson(server.mcpUrl, initialize('2025-06-18', 'openai-mcp'), headers);
      expect(init.status).toBe(200);
      expect(init.headers.get('content-type')).toContain('application/json');
      expect(init.body.result.protocolVersion).toBe('2025-06-18');
      const call = await postJson(
        server.mcpUrl,
        { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'test_echo', arguments: { text: 'hi' } } },
        { ...headers, 'mcp-protocol-version': '2025-06-18' },
      );
      expect(call.status).toBe(200);
      expect(call.body.result.structuredContent.text).toBe('hi');
    }
  });

  it('echoes each supported initialize version and counter-offers for an unknown one', async () => {
    for (const version of ['2025-03-26', '2025-06-18', '2025-11-25']) {
      const { body } = await postJson(server.mcpUrl, initialize(version), { accept: 'application/json' });
      expect(body.result.protocolVersion).toBe(version);
      expect(body.result.capabilities).toEqual({ tools: {}, logging: {} });
      expect(body.result.serverInfo.name).toBe('mcp-tool-server');
    }
    const { body } = await postJson(server.mcpUrl, initialize('2099-01-01'), { accept: 'application/json' });
    expect(body.result.protocolVersion).toBe('2025-11-25');
  });

  it('answers ping and logging/setLevel, and 202 for notifications', async () => {
    const ping = await postJson(server.mcpUrl, { jsonrpc: '2.0', id: 3, method: 'ping' }, { accept: 'application/json' });
    expect(ping.body.result).toEqual({});
    const level = await postJson(
      server.mcpUrl,
      { jsonrpc: '2.0', id: 4, method: 'logging/setLevel', params: { level: 'warning' } },
      { accept: 'application/json' },
    );
    expect(level.body.result).toEqual({});
    const note = await postJson(server.mcpUrl, { jsonrpc: '2.0', method: 'notifications/initialized' }, { accept: BOTH });
    expect(note.status).toBe(202);
  });

  it('answers GET and DELETE with 405', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(server.mcpUrl, {
        method,
        headers: { authorization: `Bearer ${ADMIN_KEY}`, accept: 'text/event-stream' },
      });
      expect(response.status).toBe(405);
    }
  });

  it('accepts JSON-RPC batches on 2025-03-26 only', async () => {
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'test_echo', arguments: { text: 'b' } } },
    ];
    const ok = await postJson(server.mcpUrl, batch, { accept: 'application/json', 'mcp-protocol-version': '2025-03-26' });
    expect(ok.status).toBe(200);
    expect(ok.body.map((r: any) => r.id).sort()).toEqual([1, 2]);
    const refused = await postJson(server.mcpUrl, batch, { accept: 'application/json', 'mcp-protocol-version': '2025-06-18' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe(-32600);
  });

  it('answers an empty or broken JSON-RPC batch with a JSON-RPC Invalid Request error', async () => {
    for (const batch of ['[]', '[1,2]', '[{"jsonrpc":"2.0","id":1,"method":"ping"},"x"]']) {
      const { status, body } = await postJson(server.mcpUrl, batch, { accept: 'application/json', 'mcp-protocol-version': '2025-03-26' });
      expect(status).toBe(400);
      expect(body.jsonrpc).toBe('2.0');
      expect(body.error.code).toBe(-32600);
    }
  });

  it('answers malformed JSON-RPC with a parse error and a missing key with 401', async () => {
    const parse = await postJson(server.mcpUrl, '{"jsonrpc":"2.0", "id": ', { accept: BOTH });
    expect(parse.status).toBe(400);
    expect(parse.body.error.code).toBe(-32700);
    const unauth = await postJson(server.mcpUrl, initialize('2025-11-25'), { accept: BOTH, authorization: '' });
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(unauth.body.jsonrpc).toBe('2.0');
    expect(unauth.body.id).toBe(1);
  });

  it('validates Mcp-Method against the body on 2026-07-28 and serves server/discover', async () => {
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
    const headers = { accept: BOTH, 'mcp-protocol-version': '2026-07-28' };
    const discover = await postJson(
      server.mcpUrl,
      { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: meta } },
      { ...headers, 'mcp-method': 'server/discover' },
    );
    expect(discover.status).toBe(200);
    expect(discover.body.result.supportedVersions).toContain('2026-07-28');
    expect(discover.body.result.capabilities.tools).toBeDefined();
    const mismatch = await postJson(
      server.mcpUrl,
      { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: meta } },
      { ...headers, 'mcp-method': 'tools/call' },
    );
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.code).toBe(-32020);
  });

  it('serves CORS preflight with the MCP headers and exposes the session/version/auth headers', async () => {
    const response = await fetch(server.mcpUrl, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:6274',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'mcp-protocol-version,mcp-method,authorization',
      },
    });
    expect(response.status).toBeLessThan(300);
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const h of ['authorization', 'content-type', 'mcp-session-id', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'last-event-id'])
      expect(allowed).toContain(h);
    const actual = await postJson(server.mcpUrl, initialize('2025-11-25'), { accept: 'application/json', origin: 'http://localhost:6274' });
    const exposed = (actual.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    for (const h of ['mcp-session-id', 'mcp-protocol-version', 'www-authenticate']) expect(exposed).toContain(h);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type TestServer } from '../helpers/server.js';
import { startOAuthServer } from '../auth/oauthServer.js';
import { startAuthorizationServer, type TestAuthorizationServer } from '../auth/oidcProvider.js';
import { initialize, send, toolsCall } from '../auth/wire.js';

/**
 * The OpenAI Responses API `mcp` tool: a server-side client that sends `headers` (or
 * `authorization`) on every request and asks for JSON only. It must get JSON — never 406, never SSE.
 */
let as: TestAuthorizationServer;
let server: TestServer;
beforeAll(async () => {
  as = await startAuthorizationServer();
  server = await startOAuthServer({ AUTH_MODE: 'both', OAUTH_ISSUER: as.issuer });
});
afterAll(async () => {
  await server?.close();
  await as?.close();
});

async function jsonOnly(message: unknown, token: string, version?: string) {
  const answer = await send(server.mcpUrl, {
    body: message,
    headers: { accept: 'application/json', authorization: `Bearer ${token}`, ...(version ? { 'mcp-protocol-version': version } : {}) },
  });
  expect(answer.status).not.toBe(406);
  if (answer.status !== 202) expect(answer.contentType).toMatch(/^application\/json/);
  return answer;
}

describe.each([
  ['an API key in `headers`', async () => ADMIN_KEY],
  ['an OAuth token in `authorization`', async () => as.token({ resource: server.mcpUrl, scope: 'mcp:read mcp:write' })],
])('Responses API with %s', (_label, credential) => {
  it('initializes, lists (mcp_list_tools) and calls (mcp_call) with Accept: application/json only', async () => {
    const token = await credential();
    const init = await jsonOnly(initialize('2025-06-18', 'openai-mcp'), token);
    expect(init.status).toBe(200);
    const version = init.body.result.protocolVersion;
    expect(version).toBe('2025-06-18');

    const initialized = await jsonOnly({ jsonrpc: '2.0', method: 'notifications/initialized' }, token, version);
    expect(initialized.status).toBe(202);

    const list = await jsonOnly({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, token, version);
    const tools = list.body.result.tools as { name: string; inputSchema: unknown; annotations: { readOnlyHint: boolean } }[];
    // allowed_tools / require_approval {read_only: true} filter on these.
    expect(tools.filter((t) => t.annotations.readOnlyHint).map((t) => t.name)).toEqual(
      expect.arrayContaining(['list_tools', 'get_tool_documentation']),
    );
    for (const tool of tools) expect(tool.inputSchema).toMatchObject({ type: 'object' });

    const call = await jsonOnly(toolsCall(2, 'list_tools'), token, version);
    expect(call.status).toBe(200);
    expect(call.body).toMatchObject({ jsonrpc: '2.0', id: 2 });
    expect(call.body.result.structuredContent.tools[0].name).toBe('discovery');
  });
});

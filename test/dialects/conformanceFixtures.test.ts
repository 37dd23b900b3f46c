import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configError } from '../helpers/configError.js';
import { connectClient, startServer, type ClientVersion, type TestServer } from '../helpers/server.js';
import { loadConfig } from '../../src/config/index.js';

describe('MCP_CONFORMANCE_FIXTURES', () => {
  it('is off by default', () => {
    expect(loadConfig({}, '/tmp').mcp.conformanceFixtures).toBe(false);
  });

  // Security: the fixtures (sampling, elicitation, fake resources) must never reach a public bind.
  it.each([
    [{ MCP_CONFORMANCE_FIXTURES: 'true', HOST: '0.0.0.0' }],
    [{ MCP_CONFORMANCE_FIXTURES: 'true', HOST: '192.168.1.10' }],
    [{ MCP_CONFORMANCE_FIXTURES: 'true', HOST: '127.0.0.1', PUBLIC_URL: 'https://mcp.example.com' }],
  ])('is refused with a non-loopback address: %o', (env) => {
    const error = configError(env);
    expect(error.variable).toBe('MCP_CONFORMANCE_FIXTURES');
    expect(error.message).toContain('MCP_CONFORMANCE_FIXTURES');
  });

  it('rejects a value that is not a boolean', () => {
    expect(configError({ MCP_CONFORMANCE_FIXTURES: 'sometimes' }).variable).toBe('MCP_CONFORMANCE_FIXTURES');
  });

  it('is accepted on loopback', () => {
    expect(loadConfig({ MCP_CONFORMANCE_FIXTURES: 'true', HOST: '::1' }, '/tmp').mcp.conformanceFixtures).toBe(true);
  });
});

describe('without the fixtures', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server.close());

  it('lists no fixture tool and refuses to call one', async () => {
    const client = await connectClient(server.mcpUrl);
    try {
      const { tools } = await client.listTools();
      expect(tools.some((t) => t.name.startsWith('test_'))).toBe(false);
      await expect(client.callTool({ name: 'test_simple_text', arguments: {} })).rejects.toThrow(/Unknown tool/);
    } finally {
      await client.close();
    }
  });
});

describe.each<ClientVersion>(['2025-11-25', '2026-07-28'])('with the fixtures, official client on %s', (version) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { MCP_CONFORMANCE_FIXTURES: 'true' } });
  });
  afterAll(async () => server.close());

  it('serves the fixture tools next to the real ones', async () => {
    const client = await connectClient(server.mcpUrl, version);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('list_tools');
      expect(names).toEqual(expect.arrayContaining(['test_simple_text', 'test_tool_with_progress', 'json_schema_2020_12_tool']));
      expect(await client.callTool({ name: 'test_simple_text', arguments: {} })).toMatchObject({
        content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
      });
      expect(await client.callTool({ name: 'test_error_handling', arguments: {} })).toMatchObject({ isError: true });
      const progress: number[] = [];
      await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, { onprogress: (p) => progress.push(p.progress) });
      expect(progress).toEqual([0, 50, 100]);
    } finally {
      await client.close();
    }
  });

  it('serves the fixture resources, template and prompts', async () => {
    const client = await connectClient(server.mcpUrl, version);
    try {
      expect((await client.listResources()).resources.map((r) => r.uri)).toContain('test://static-text');
      const read = await client.readResource({ uri: 'test://template/42/data' });
      expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({ id: '42', templateTest: true });
      await expect(client.readResource({ uri: 'test://nope' })).rejects.toMatchObject({ code: -32602 });
      const prompt = await client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'a', arg2: 'b' } });
      expect(prompt.messages[0]?.content).toMatchObject({ text: "Prompt with arguments: arg1='a', arg2='b'" });
      await expect(client.getPrompt({ name: 'test_prompt_with_arguments', arguments: {} })).rejects.toMatchObject({ code: -32602 });
    } finally {
      await client.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_LIST_BUDGET_BYTES, toolListBytes } from '../../src/dialects/mcp/toolList.js';
import { ADMIN_KEY, startServer, type TestServer } from '../helpers/server.js';

// The budget is about the default tool set as a read+write key sees it: no extra tools, default config.
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

async function rpc(method: string, params?: Record<string, unknown>) {
  const response = await fetch(server.mcpUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, ...(params ? { params } : {}) }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { result: any }).result;
}

describe('tools/list stays compact (what every model turn pays for)', () => {
  it(`is at most ${TOOL_LIST_BUDGET_BYTES} bytes for a read+write key with every default tool`, async () => {
    const result = await rpc('tools/list');
    const names: string[] = result.tools.map((t: { name: string }) => t.name);
    // Every operation a read+write key may call is listed: a smaller list cannot pass by dropping tools.
    expect(names).toEqual(server.built.registry.list().map((e) => e.op.mcpName));
    expect(names).toEqual(expect.arrayContaining(['read_file', 'write_file', 'query', 'insert', 'update', 'search', 'session_set_state']));
    const bytes = toolListBytes(result);
    console.log(`tools/list: ${names.length} tools, ${bytes} bytes (budget ${TOOL_LIST_BUDGET_BYTES})`);
    expect(bytes).toBeLessThanOrEqual(TOOL_LIST_BUDGET_BYTES);
  });

  it('keeps what the model needs: the declared description, input schema, title and all four annotations', async () => {
    const result = await rpc('tools/list');
    for (const tool of result.tools) {
      const { op } = server.built.registry.byMcpName(tool.name)!;
      expect(tool.description).toBe(op.description);
      expect(tool.description.length, tool.name).toBeGreaterThan(40);
      expect(tool.inputSchema).toEqual(op.inputSchema);
      expect(tool.title).toBe(op.title);
      expect(tool.annotations).toEqual(op.annotations);
      expect(tool.outputSchema).toEqual({ type: 'object' });
    }
  });

  it('says nothing twice: no tool description repeats a parameter description', async () => {
    const result = await rpc('tools/list');
    for (const tool of result.tools) {
      for (const [name, property] of Object.entries<{ description?: string }>(tool.inputSchema.properties ?? {})) {
        if (property.description) expect(tool.description, `${tool.name}.${name}`).not.toContain(property.description);
      }
    }
  });

  it('gives the full declared result schema through get_tool_documentation', async () => {
    const result = await rpc('tools/call', { name: 'get_tool_documentation', arguments: { tool_name: 'file_system' } });
    const readFile = result.structuredContent.operations.find((o: { name: string }) => o.name === 'read_file');
    expect(readFile.result).toEqual(server.built.registry.byMcpName('read_file')!.op.outputSchema);
    expect(Object.keys(readFile.result.properties)).toEqual(expect.arrayContaining(['content', 'etag', 'truncated']));
  });
});

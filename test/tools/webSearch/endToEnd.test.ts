import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebSearchTool } from '../../../src/tools/webSearch/index.js';
import { READER_KEY, connectClient, envelope, postJson, startServer, type ClientVersion, type TestServer } from '../../helpers/server.js';
import { tempDirs, type TempDirs } from './helpers.js';

let server: TestServer;
let dirs: TempDirs;

beforeAll(async () => {
  dirs = tempDirs();
  dirs.write('handbook/onboarding.md', '# Onboarding\n\nNew engineers get a laptop and a mentor on day one.');
  dirs.write('handbook/security.md', '# Security\n\nRotate credentials every ninety days.');
  server = await startServer({ toolFactories: [createWebSearchTool], env: { WORKSPACE_DIR: dirs.workspace, DATA_DIR: dirs.data } });
});

afterAll(async () => {
  await server?.close();
  dirs?.cleanup();
});

type TextItem = { type: string; text: string };

describe.each<ClientVersion>(['2025-06-18', '2025-11-25', '2026-07-28'])(
  'ChatGPT-shaped search/fetch through the official MCP client (%s)',
  (version) => {
    it('declares search and fetch as read-only tools', async () => {
      const client = await connectClient(server.mcpUrl, version, READER_KEY);
      try {
        const { tools } = await client.listTools();
        for (const name of ['search', 'fetch']) {
          const tool = tools.find((t) => t.name === name);
          expect(tool, name).toBeDefined();
          expect(tool!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
          expect(tool!.outputSchema?.type).toBe('object');
        }
        expect(tools.find((t) => t.name === 'search')!.inputSchema.required).toEqual(['query']);
        expect(tools.find((t) => t.name === 'fetch')!.inputSchema.required).toEqual(['id']);
      } finally {
        await client.close();
      }
    });

    it('search then fetch: one JSON text item each, equal to structuredContent', async () => {
      const client = await connectClient(server.mcpUrl, version, READER_KEY);
      try {
        const found = await client.callTool({ name: 'search', arguments: { query: 'mentor laptop' } });
        expect(found.isError).toBeFalsy();
        const items = found.content as TextItem[];
        expect(items).toHaveLength(1);
        expect(items[0]!.type).toBe('text');
        const parsed = JSON.parse(items[0]!.text) as { results: Array<{ id: string; title: string; url: string }> };
        expect(parsed).toEqual(found.structuredContent);
        expect(parsed.results[0]).toMatchObject({
          id: 'file:handbook/onboarding.md',
          title: 'Onboarding',
          url: 'file:///handbook/onboarding.md',
        });

        const read = await client.callTool({ name: 'fetch', arguments: { id: parsed.results[0]!.id } });
        expect(read.isError).toBeFalsy();
        const readItems = read.content as TextItem[];
        expect(readItems).toHaveLength(1);
        const doc = JSON.parse(readItems[0]!.text);
        expect(doc).toEqual(read.structuredContent);
        expect(doc).toMatchObject({
          id: 'file:handbook/onboarding.md',
          title: 'Onboarding',
          url: 'file:///handbook/onboarding.md',
          metadata: { source: 'workspace' },
        });
        expect(doc.text).toContain('a laptop and a mentor');
      } finally {
        await client.close();
      }
    });

    it('a fetch that is refused is an isError result naming the reason', async () => {
      const client = await connectClient(server.mcpUrl, version, READER_KEY);
      try {
        const refused = await client.callTool({ name: 'fetch', arguments: { id: `${server.url}/mcp` } });
        expect(refused.isError).toBe(true);
        expect((refused.content as TextItem[])[0]!.text).toMatch(/FORBIDDEN|does not fetch web pages/);
      } finally {
        await client.close();
      }
    });
  },
);

describe('envelope dialect', () => {
  it('reaches the same operations as web_search.search and web_search.fetch', async () => {
    const searched = await postJson(
      server.mcpUrl,
      envelope('web_search', 'search', { query: 'credentials', limit: 5, provider: 'local' }),
      { authorization: `Bearer ${READER_KEY}` },
    );
    expect(searched.status).toBe(200);
    expect(searched.body.content.results).toEqual([
      expect.objectContaining({ id: 'file:handbook/security.md', title: 'Security', url: 'file:///handbook/security.md' }),
    ]);
    const fetched = await postJson(server.mcpUrl, envelope('web_search', 'fetch', { id: 'file:handbook/security.md' }), {
      authorization: `Bearer ${READER_KEY}`,
    });
    expect(fetched.status).toBe(200);
    expect(fetched.body.content.text).toContain('Rotate credentials');
  });
});

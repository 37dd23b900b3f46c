import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_SCAN_BUDGET } from '../../../src/tools/fileSystem/resources/listResources.js';
import { loadConfig } from '../../../src/config/index.js';
import { configError } from '../../helpers/configError.js';
import { connectClient, envelope, postJson, startServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
  // More empty folders than one page may walk past, then the only file.
  for (let i = 0; i <= RESOURCE_SCAN_BUDGET; i++) mkdirSync(path.join(server.workspaceDir, `d${String(i).padStart(5, '0')}`));
  writeFileSync(path.join(server.workspaceDir, 'zz-only-file.md'), 'found\n');
}, 120_000);

afterAll(async () => {
  await server?.close();
});

const rpc = (id: number, method: string, params: Record<string, unknown> = {}) =>
  postJson(server.mcpUrl, { jsonrpc: '2.0', id, method, params }, { accept: 'application/json', 'mcp-protocol-version': '2025-11-25' });

describe('resources/list on a tree with nothing to list', () => {
  it('ends a page after a bounded walk, with a cursor that goes on from there', async () => {
    const first = await rpc(1, 'resources/list');
    expect(first.body.result.resources).toEqual([]);
    expect(first.body.result.nextCursor).toEqual(expect.any(String));
    const second = await rpc(2, 'resources/list', { cursor: first.body.result.nextCursor });
    expect(second.body.result.resources.map((r: { name: string }) => r.name)).toEqual(['zz-only-file.md']);
    expect(second.body.result.nextCursor).toBeUndefined();
  });
});

describe('the resource calls are not tools', () => {
  it('neither tools/call nor the envelope reaches them', async () => {
    const call = await rpc(3, 'tools/call', { name: 'resources_read_workspace_file', arguments: { uri: 'file:///zz-only-file.md' } });
    expect(call.body.error?.code).toBe(-32602);
    expect(JSON.stringify(call.body)).not.toContain('found');
    const tools = await rpc(4, 'tools/list');
    expect(tools.body.result.tools.map((t: { name: string }) => t.name).filter((n: string) => n.startsWith('resources'))).toEqual([]);
    const env = await postJson(server.mcpUrl, envelope('resources', 'read_workspace_file', { uri: 'file:///zz-only-file.md' }));
    expect(env.body.message_type).toBe('error');
    expect(JSON.stringify(env.body)).not.toContain('found\\n');
  });
});

describe('RATE_LIMIT_TOOLS and resources', () => {
  it('counts resources/read as file_system.read_file and resources/list as file_system.list_directory', async () => {
    const limited = await startServer({
      env: { RATE_LIMIT_MAX: '50', RATE_LIMIT_TOOLS: 'file_system.read_file=2,file_system.list_directory=1' },
    });
    try {
      writeFileSync(path.join(limited.workspaceDir, 'a.md'), 'a\n');
      const send = (id: number, method: string, params: Record<string, unknown>) =>
        postJson(
          limited.mcpUrl,
          { jsonrpc: '2.0', id, method, params },
          { accept: 'application/json', 'mcp-protocol-version': '2025-11-25' },
        );
      const read = { uri: 'file:///a.md' };
      expect((await send(1, 'tools/call', { name: 'read_file', arguments: { path: 'a.md' } })).status).toBe(200);
      expect((await send(2, 'resources/read', read)).body.result.contents[0].text).toBe('a\n');
      const third = await send(3, 'resources/read', read);
      expect(third.status).toBe(429);
      expect(third.body.error.message).toMatch(/file_system\.read_file/);
      expect((await send(4, 'resources/list', {})).status).toBe(200);
      expect((await send(5, 'resources/list', {})).status).toBe(429);
      // Templates read nothing and count as no tool call.
      expect((await send(6, 'resources/templates/list', {})).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('FS_RESOURCE_CACHE_TTL_MS', () => {
  it('defaults to 0, so a client reads a file again after the tools changed it', async () => {
    expect(loadConfig({}, '/srv/app').fileSystem.resourceCacheTtlMs).toBe(0);
    const client = await connectClient(server.mcpUrl, '2026-07-28');
    try {
      await client.callTool({ name: 'write_file', arguments: { path: 'changing.md', content: 'one\n' } });
      expect(await client.readResource({ uri: 'file:///changing.md' })).toMatchObject({ ttlMs: 0, contents: [{ text: 'one\n' }] });
      await client.callTool({ name: 'write_file', arguments: { path: 'changing.md', content: 'two\n' } });
      expect((await client.readResource({ uri: 'file:///changing.md' })).contents).toMatchObject([{ text: 'two\n' }]);
    } finally {
      await client.close();
    }
  });

  it.each(['-1', 'soon', '86400001'])('FS_RESOURCE_CACHE_TTL_MS=%s stops startup naming the variable', (value) => {
    const error = configError({ FS_RESOURCE_CACHE_TTL_MS: value });
    expect(error.variable).toBe('FS_RESOURCE_CACHE_TTL_MS');
    expect(error.message).toContain('FS_RESOURCE_CACHE_TTL_MS');
  });
});

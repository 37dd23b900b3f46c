import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_SCAN_BUDGET } from '../../../src/tools/fileSystem/resources/listResources.js';
import { envelope, postJson, startServer, type TestServer } from '../../helpers/server.js';

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

import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileSystemTool } from '../../../src/tools/fileSystem/index.js';
import { connectClient, envelope, postJson, READER_KEY, startServer, type TestServer } from '../../helpers/server.js';

const WRITE_OPS = ['write_file', 'edit_file', 'create_directory', 'move_file', 'delete_file'];

describe('file_system over HTTP, both dialects', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ toolFactories: [createFileSystemTool] });
  });
  afterAll(async () => server?.close());

  it('MCP: lists every operation with annotations and round-trips a write and a read', async () => {
    const client = await connectClient(server.mcpUrl);
    try {
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      for (const name of [
        'read_file',
        'read_multiple_files',
        'list_directory',
        'directory_tree',
        'search_files',
        'get_file_info',
        ...WRITE_OPS,
      ]) {
        expect(names).toContain(name);
      }
      expect(tools.find((t) => t.name === 'write_file')!.annotations).toMatchObject({
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      });
      expect(tools.find((t) => t.name === 'create_directory')!.annotations).toMatchObject({ idempotentHint: true, destructiveHint: false });

      const written = await client.callTool({
        name: 'write_file',
        arguments: { path: 'mcp/hello.md', content: '# hi\n', create_parents: true },
      });
      expect(written.isError).toBeFalsy();
      const read = await client.callTool({ name: 'read_file', arguments: { path: 'mcp/hello.md' } });
      expect(read.structuredContent).toMatchObject({ path: 'mcp/hello.md', content: '# hi\n', total_lines: 1 });
      expect(JSON.parse((read.content as Array<{ text: string }>)[0]!.text)).toEqual(read.structuredContent);

      const escaped = await client.callTool({ name: 'read_file', arguments: { path: '../../etc/passwd' } });
      expect(escaped.isError).toBe(true);
      const text = JSON.stringify(escaped.content);
      expect(text).toContain('../../etc/passwd');
      expect(text).not.toContain(server.workspaceDir);
    } finally {
      await client.close();
    }
  });

  it('envelope: returns the result as content and errors with the right status, never a server path', async () => {
    const ok = await postJson(
      server.mcpUrl,
      envelope('file_system', 'write_file', { path: 'env/a.txt', content: 'A', create_parents: true }),
    );
    expect(ok.status).toBe(200);
    expect(ok.body.content).toMatchObject({ path: 'env/a.txt', size: 1, created: true });

    symlinkSync(path.dirname(server.workspaceDir), path.join(server.workspaceDir, 'up'));
    const forbidden = await postJson(server.mcpUrl, envelope('file_system', 'read_file', { path: 'up/data/anything' }));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.content.code).toBe('FORBIDDEN');
    expect(forbidden.text).not.toContain(server.workspaceDir);

    const missing = await postJson(server.mcpUrl, envelope('file_system', 'read_file', { path: 'env/nope.txt' }));
    expect(missing.status).toBe(404);

    writeFileSync(path.join(server.workspaceDir, 'env/a.txt'), 'changed');
    const conflict = await postJson(
      server.mcpUrl,
      envelope('file_system', 'write_file', { path: 'env/a.txt', content: 'B', if_match: ok.body.content.etag }),
    );
    expect(conflict.status).toBe(409);
  });

  it('a read-only key sees no writing operations and cannot call them', async () => {
    const client = await connectClient(server.mcpUrl, '2025-11-25', READER_KEY);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      for (const op of WRITE_OPS) expect(names).not.toContain(op);
    } finally {
      await client.close();
    }
    const refused = await postJson(server.mcpUrl, envelope('file_system', 'delete_file', { path: 'env/a.txt' }), {
      authorization: `Bearer ${READER_KEY}`,
    });
    expect(refused.status).toBe(403);
  });
});

describe('FS_READ_ONLY=true over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ toolFactories: [createFileSystemTool], env: { FS_READ_ONLY: 'true' } });
  });
  afterAll(async () => server?.close());

  it('neither dialect offers a writing operation', async () => {
    const client = await connectClient(server.mcpUrl);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('read_file');
      for (const op of WRITE_OPS) expect(names).not.toContain(op);
    } finally {
      await client.close();
    }
    const attempt = await postJson(server.mcpUrl, envelope('file_system', 'write_file', { path: 'a.txt', content: 'x' }));
    // Not offered, and the refusal says why instead of "unknown operation".
    expect(attempt.status).toBe(403);
    expect(attempt.body.content.code).toBe('FORBIDDEN');
    expect(attempt.body.content.error).toMatch(/read-only \(FS_READ_ONLY=true\)/);
  });
});

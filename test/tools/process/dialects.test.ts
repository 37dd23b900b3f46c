import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileSystemTool } from '../../../src/tools/fileSystem/index.js';
import { createProcessTool } from '../../../src/tools/process/index.js';
import { ADMIN_KEY, connectClient, envelope, postJson, READER_KEY, startServer, TEST_KEYS, type TestServer } from '../../helpers/server.js';
import { describeWithBwrap, PROCESS_ENV } from './helpers.js';

const RUNNER_KEY = 'runner-key-0123456789';
const KEYS = `${TEST_KEYS},runner:${RUNNER_KEY}:read+write+exec`;
const tools = [createFileSystemTool, createProcessTool];

describeWithBwrap('process tool over HTTP, both dialects', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ toolFactories: tools, env: { ...PROCESS_ENV, MCP_API_KEYS: KEYS } });
  });
  afterAll(async () => server?.close());

  it('MCP: tools/list shows run_process only to a credential with exec, which can call it', async () => {
    for (const [key, visible] of [
      [RUNNER_KEY, true],
      [ADMIN_KEY, false],
      [READER_KEY, false],
    ] as const) {
      const client = await connectClient(server.mcpUrl, '2025-11-25', key);
      try {
        const names = (await client.listTools()).tools.map((t) => t.name);
        expect(names.includes('run_process'), key).toBe(visible);
      } finally {
        await client.close();
      }
    }
    const client = await connectClient(server.mcpUrl, '2026-07-28', RUNNER_KEY);
    try {
      const tool = (await client.listTools()).tools.find((t) => t.name === 'run_process')!;
      expect(tool.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, openWorldHint: false });
      expect(tool.description).toContain('Allowed programs: sh, bash');
      const result = await client.callTool({ name: 'run_process', arguments: { argv: ['echo', 'from', 'mcp'] } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ exit_code: 0, stdout: 'from mcp\n', sandboxed: true });
      const refused = await client.callTool({ name: 'run_process', arguments: { argv: ['rm', '-rf', '/workspace'] } });
      expect(refused.isError).toBe(true);
      expect(JSON.stringify(refused.content)).toContain('FORBIDDEN');
    } finally {
      await client.close();
    }
  });

  it('Security, MCP: a key without exec cannot call run_process (read-only or read+write)', async () => {
    for (const key of [READER_KEY, ADMIN_KEY]) {
      const reply = await postJson(
        server.mcpUrl,
        { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'run_process', arguments: { argv: ['true'] } } },
        { authorization: `Bearer ${key}`, accept: 'application/json' },
      );
      expect(reply.status).toBe(200);
      expect(reply.body.error.message).toContain('Unknown tool: run_process');
      expect(reply.body.result).toBeUndefined();
    }
  });

  it('envelope: runs with exec, and refuses keys without it with 403', async () => {
    const ok = await postJson(server.mcpUrl, envelope('process', 'run', { argv: ['sh', '-c', 'echo $0', 'x'] }), {
      authorization: `Bearer ${RUNNER_KEY}`,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.content).toMatchObject({ exit_code: 0, stdout: 'x\n' });
    for (const key of [READER_KEY, ADMIN_KEY]) {
      const refused = await postJson(server.mcpUrl, envelope('process', 'run', { argv: ['true'] }), { authorization: `Bearer ${key}` });
      expect(refused.status).toBe(403);
      expect(refused.body.content.code).toBe('FORBIDDEN');
      expect(refused.body.content.error).toContain('"exec" scope');
    }
  });

  it('discovery lists the tool only for callers with exec', async () => {
    const names = async (key: string) =>
      JSON.stringify((await postJson(server.mcpUrl, envelope('discovery', 'list_tools'), { authorization: `Bearer ${key}` })).body.content);
    expect(await names(RUNNER_KEY)).toContain('{"name":"process","operations":["run"]}');
    expect(await names(ADMIN_KEY)).not.toContain('"process"');
  });
});

describe('process tool disabled (the default)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ toolFactories: tools, env: { MCP_API_KEYS: KEYS } });
  });
  afterAll(async () => server?.close());

  it('exists in neither dialect, even for a key with exec', async () => {
    const client = await connectClient(server.mcpUrl, '2025-11-25', RUNNER_KEY);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('run_process');
    } finally {
      await client.close();
    }
    const reply = await postJson(server.mcpUrl, envelope('process', 'run', { argv: ['true'] }), { authorization: `Bearer ${RUNNER_KEY}` });
    expect(reply.status).toBe(404);
    expect(reply.body.content.code).toBe('UNKNOWN_TOOL');
  });
});

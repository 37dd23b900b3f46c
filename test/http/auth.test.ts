import { mkdtempSync, statSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { prepareAuth } from '../../src/startup.js';
import { createTestTool } from '../helpers/testTools.js';
import { READER_KEY, connectClient, envelope, postJson, startServer, type TestServer } from '../helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('authentication and startup safety', () => {
  it('generates a key on first start, stores it with mode 0600 and reuses it', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-key-'));
    const config = loadConfig({ DATA_DIR: dataDir }, '/tmp');
    const first = prepareAuth(config);
    expect(first.generatedKey?.key).toMatch(/^mcp_/);
    const file = path.join(dataDir, 'api-key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.generatedKey!.key);
    const again = loadConfig({ DATA_DIR: dataDir }, '/tmp');
    const second = prepareAuth(again);
    expect(second.generatedKey).toBeUndefined();
    expect(again.auth.apiKeys[0]!.key).toBe(first.generatedKey!.key);
  });

  it('refuses to run without auth on a non-loopback address unless told twice', () => {
    const bad = loadConfig({ AUTH_MODE: 'none', HOST: '0.0.0.0' }, '/tmp');
    expect(() => prepareAuth(bad)).toThrow(ConfigError);
    expect(() => prepareAuth(bad)).toThrow('AUTH_NONE_ALLOW_REMOTE');
    const allowed = loadConfig({ AUTH_MODE: 'none', HOST: '0.0.0.0', AUTH_NONE_ALLOW_REMOTE: 'true' }, '/tmp');
    expect(() => prepareAuth(allowed)).not.toThrow();
    const local = loadConfig({ AUTH_MODE: 'none' }, '/tmp');
    expect(() => prepareAuth(local)).not.toThrow();
    // A tunnel makes a loopback bind public too.
    const tunnelled = loadConfig({ AUTH_MODE: 'none', PUBLIC_URL: 'https://abc.trycloudflare.com' }, '/tmp');
    expect(() => prepareAuth(tunnelled)).toThrow('AUTH_NONE_ALLOW_REMOTE');
  });

  it('serves everyone in explicit no-auth mode, without a 401', async () => {
    server = await startServer({ env: { AUTH_MODE: 'none' }, toolFactories: [createTestTool] });
    const { status, body } = await postJson(server.mcpUrl, envelope('test', 'bump'), { authorization: '' });
    expect(status).toBe(200);
    expect(body.content).toEqual({ ok: true });
    const client = await connectClient(server.mcpUrl, '2025-11-25', undefined);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });

  it('still refuses query-string credentials in no-auth mode', async () => {
    server = await startServer({ env: { AUTH_MODE: 'none' }, toolFactories: [createTestTool] });
    const { status } = await postJson(`${server.mcpUrl}?api_key=x`, envelope('test', 'echo', { text: 'x' }), { authorization: '' });
    expect(status).toBe(401);
  });

  it('rejects a read-only key on writes and accepts it on reads', async () => {
    server = await startServer({ toolFactories: [createTestTool] });
    const auth = { authorization: `Bearer ${READER_KEY}` };
    expect((await postJson(server.mcpUrl, envelope('test', 'echo', { text: 'x' }), auth)).status).toBe(200);
    expect((await postJson(server.mcpUrl, envelope('test', 'bump'), auth)).status).toBe(403);
  });

  it('answers unknown paths with a JSON 404 and OAuth probes on an API-key server with 404', async () => {
    server = await startServer({ toolFactories: [createTestTool] });
    for (const p of ['/nope', '/.well-known/oauth-protected-resource', '/.well-known/oauth-authorization-server']) {
      const response = await fetch(`${server.url}${p}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/json');
    }
  });
});

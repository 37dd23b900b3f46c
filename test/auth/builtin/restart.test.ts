import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OAUTH_DB_FILE } from '../../../src/auth/authServer/sqliteStore.js';
import { ADMIN_KEY, READER_KEY } from '../../helpers/server.js';
import { freePort } from '../../infra/helpers/services.js';
import { rpc } from '../wire.js';
import { authorize, CLAUDE_REDIRECT, registerPublic, startBuiltinServer, tokenRequest } from './flow.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-as-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const listTools = (url: string, token: string) =>
  rpc(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, token, { 'mcp-protocol-version': '2025-06-18' });

/**
 * fetch keeps a pooled keep-alive socket to host:port; after a restart on the same port the first
 * request may go out on the old server's closed socket (UND_ERR_SOCKET). That is the client's
 * pool, not the server: such a request never reached the new server, so it is sent once more.
 */
async function afterRestart<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw error;
    return send();
  }
}

describe('the built-in authorization server across restarts', () => {
  it('keeps clients, grants and tokens in DATA_DIR; a rotated key invalidates what it approved', async () => {
    const port = await freePort();
    const env = { DATA_DIR: dataDir };
    let first = await startBuiltinServer(env, port);
    let tokens: Record<string, any>;
    let clientId: string;
    try {
      clientId = (await registerPublic(first, CLAUDE_REDIRECT)).client_id;
      tokens = (await authorize(first, { clientId, redirectUri: CLAUDE_REDIRECT, key: ADMIN_KEY })).body;
      expect((await listTools(first.mcpUrl, tokens.access_token)).status).toBe(200);
    } finally {
      await first.close();
    }
    // Security: the store holds client secrets and refresh tokens: owner-only file.
    expect(statSync(path.join(dataDir, OAUTH_DB_FILE)).mode & 0o777).toBe(0o600);

    first = await startBuiltinServer(env, port);
    try {
      expect((await afterRestart(() => listTools(first.mcpUrl, tokens.access_token))).status).toBe(200);
      const refreshed = await tokenRequest(first, { clientId }, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      expect(refreshed.status).toBe(200);
      tokens = refreshed.body;
    } finally {
      await first.close();
    }

    // The admin key is rotated (same name, new value): everything it approved stops working.
    const rotated = await startBuiltinServer(
      { ...env, MCP_API_KEYS: `admin:${ADMIN_KEY}-rotated:read+write,reader:${READER_KEY}:read` },
      port,
    );
    try {
      const refused = await afterRestart(() => listTools(rotated.mcpUrl, tokens.access_token));
      expect(refused.status).toBe(401);
      expect(refused.body.error.message).toContain('removed or rotated');
      const refresh = await tokenRequest(rotated, { clientId }, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      expect(refresh.status).toBe(400);
      expect(refresh.body.error).toBe('invalid_grant');
      expect(refresh.body.error_description).toContain('removed or rotated');
    } finally {
      await rotated.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTokensCommand } from '../../../src/cli/tokens.js';
import { ADMIN_KEY, READER_KEY, type TestServer } from '../../helpers/server.js';
import { rpc } from '../wire.js';
import {
  authorize,
  CHATGPT_REDIRECT,
  CLAUDE_REDIRECT,
  recordingLogger,
  register,
  registerPublic,
  startBuiltinServer,
  tokenRequest,
} from './flow.js';

const { logger, records } = recordingLogger();
let server: TestServer;
beforeAll(async () => {
  server = await startBuiltinServer({}, undefined, logger);
});
afterAll(async () => {
  await server?.close();
});

const listTools = (token: string) =>
  rpc(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, token, { 'mcp-protocol-version': '2025-06-18' });

async function connected(redirectUri = CHATGPT_REDIRECT, key = ADMIN_KEY, name = 'Test client') {
  const client = await registerPublic(server, redirectUri, { client_name: name });
  const { body } = await authorize(server, { clientId: client.client_id, redirectUri, key });
  expect(body.access_token).toBeTruthy();
  return { clientId: client.client_id, tokens: body };
}

async function revoke(token: string, clientId: string, hint?: string) {
  const body = new URLSearchParams({ token, client_id: clientId, ...(hint ? { token_type_hint: hint } : {}) });
  const response = await fetch(`${server.url}/oauth/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return response.status;
}

describe('built-in authorization server tokens', () => {
  it('access tokens are short-lived (OAUTH_ACCESS_TOKEN_TTL_S)', async () => {
    const { tokens } = await connected();
    expect(tokens.expires_in).toBeGreaterThan(0);
    expect(tokens.expires_in).toBeLessThanOrEqual(900);
  });

  it('rotates refresh tokens; reusing an old one revokes the whole family', async () => {
    const { clientId, tokens } = await connected();
    const next = await tokenRequest(server, { clientId }, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(next.status).toBe(200);
    expect(next.body.refresh_token).not.toBe(tokens.refresh_token);
    expect((await listTools(next.body.access_token)).status).toBe(200);

    // An attacker replays the first refresh token: refused, and everything of the grant goes.
    const replay = await tokenRequest(server, { clientId }, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await listTools(next.body.access_token)).status).toBe(401);
    const legit = await tokenRequest(server, { clientId }, { grant_type: 'refresh_token', refresh_token: next.body.refresh_token });
    expect(legit.body.error).toBe('invalid_grant');
  });

  it('revokes an access token (RFC 7009): it stops working at once', async () => {
    const { clientId, tokens } = await connected();
    expect(await revoke(tokens.access_token, clientId, 'access_token')).toBe(200);
    expect((await listTools(tokens.access_token)).status).toBe(401);
  });

  it('revokes a refresh token (RFC 7009) together with its grant', async () => {
    const { clientId, tokens } = await connected();
    expect(await revoke(tokens.refresh_token, clientId, 'refresh_token')).toBe(200);
    const refresh = await tokenRequest(server, { clientId }, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refresh.body.error).toBe('invalid_grant');
    expect((await listTools(tokens.access_token)).status).toBe(401);
  });

  it('a client cannot revoke another client’s token', async () => {
    const victim = await connected();
    const other = await registerPublic(server, CHATGPT_REDIRECT);
    await revoke(victim.tokens.access_token, other.client_id);
    expect((await listTools(victim.tokens.access_token)).status).toBe(200);
  });
});

describe('npm run tokens', () => {
  const run = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await runTokensCommand(argv, server.built.authServer!.store, (line) => lines.push(line), logger);
    return { code, text: lines.join('\n') };
  };

  it('lists grants with client, key and scopes, per client or per key', async () => {
    const a = await connected(CHATGPT_REDIRECT, ADMIN_KEY, 'ChatGPT');
    const b = await connected(CLAUDE_REDIRECT, READER_KEY, 'Claude');
    const all = JSON.parse((await run('list', '--json')).text);
    expect(all.find((g: any) => g.clientId === a.clientId)).toMatchObject({
      clientName: 'ChatGPT',
      key: 'admin',
      scopes: ['mcp:read', 'mcp:write'],
    });
    expect(all.find((g: any) => g.clientId === b.clientId)).toMatchObject({ clientName: 'Claude', key: 'reader', scopes: ['mcp:read'] });
    const byClient = JSON.parse((await run('list', '--client', a.clientId, '--json')).text);
    expect(byClient.map((g: any) => g.clientId)).toEqual([a.clientId]);
    const byKey = JSON.parse((await run('list', '--key', 'reader', '--json')).text);
    expect(byKey.every((g: any) => g.key === 'reader')).toBe(true);
    const text = (await run('list', '--client', a.clientId)).text;
    expect(text).toContain('(ChatGPT)');
    expect(text).not.toContain(ADMIN_KEY);
  });

  it('revokes per client and per key; the tokens stop working at once', async () => {
    const a = await connected(CHATGPT_REDIRECT, ADMIN_KEY);
    const b = await connected(CLAUDE_REDIRECT, READER_KEY);
    expect((await run('revoke', '--client', a.clientId)).code).toBe(0);
    expect((await listTools(a.tokens.access_token)).status).toBe(401);
    expect((await listTools(b.tokens.access_token)).status).toBe(200);
    const refresh = await tokenRequest(
      server,
      { clientId: a.clientId },
      { grant_type: 'refresh_token', refresh_token: a.tokens.refresh_token },
    );
    expect(refresh.body.error).toBe('invalid_grant');

    expect((await run('revoke', '--key', 'reader')).code).toBe(0);
    expect((await listTools(b.tokens.access_token)).status).toBe(401);
    expect(JSON.parse((await run('list', '--key', 'reader', '--json')).text)).toEqual([]);
  });

  it('refuses a revoke without a filter, and unknown options', async () => {
    expect((await run('revoke')).code).toBe(2);
    expect((await run('list', '--bogus', 'x')).code).toBe(2);
    expect((await run('revoke', '--client', 'no-such-client')).code).toBe(1);
  });
});

describe('audit log', () => {
  it('logs registrations, grants, token issues and revocations, never a secret', async () => {
    const { body: confidential } = await register(server, { client_name: 'Audited', redirect_uris: ['https://app.example/cb'] });
    const flow = await authorize(server, {
      clientId: confidential.client_id,
      clientSecret: confidential.client_secret,
      redirectUri: 'https://app.example/cb',
      key: ADMIN_KEY,
    });
    await revoke(flow.body.refresh_token, confidential.client_id);
    const audit = records.filter((r) => typeof r.audit === 'string');
    const kinds = new Set(audit.map((r) => r.audit));
    for (const kind of ['client_registered', 'authorization_granted', 'tokens_issued', 'grant_revoked']) expect(kinds).toContain(kind);
    expect(audit.find((r) => r.audit === 'authorization_granted' && r.client_id === confidential.client_id)).toMatchObject({
      key: 'admin',
      scopes: ['read', 'write'],
      client_name: 'Audited',
    });
    const everything = JSON.stringify(records);
    for (const secret of [
      ADMIN_KEY,
      READER_KEY,
      confidential.client_secret,
      flow.body.access_token,
      flow.body.refresh_token,
      flow.code,
      flow.verifier,
    ])
      expect(everything).not.toContain(secret);
  });
});

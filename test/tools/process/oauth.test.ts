import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessTool } from '../../../src/tools/process/index.js';
import { ADMIN_KEY, envelope, startServer, TEST_KEYS, type TestServer } from '../../helpers/server.js';
import { rpc, toolsCall } from '../../auth/wire.js';
import {
  authorizeUrl,
  Browser,
  BUILTIN,
  CHATGPT_REDIRECT,
  openConsent,
  pkce,
  registerPublic,
  submitConsent,
  tokenRequest,
} from '../../auth/builtin/flow.js';
import { describeWithBwrap, PROCESS_ENV } from './helpers.js';

const RUNNER_KEY = 'runner-key-0123456789';
const KEYS = `${TEST_KEYS},runner:${RUNNER_KEY}:read+write+exec`;
const V = { 'mcp-protocol-version': '2025-06-18' };

/** The authorization-code flow against the built-in AS, with the consent form's fields chosen by the test. */
async function tokenFor(server: TestServer, scope: string, fields: Record<string, string>) {
  const client = await registerPublic(server, CHATGPT_REDIRECT);
  const browser = new Browser(server.url);
  const { verifier, challenge } = pkce();
  const consent = await openConsent(
    browser,
    authorizeUrl(server, {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: CHATGPT_REDIRECT,
      scope,
      state: randomBytes(4).toString('hex'),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      resource: server.mcpUrl,
    }),
  );
  expect(consent.status).toBe(200);
  const done = await submitConsent(browser, server, consent, { decision: 'approve', access: 'write', ...fields });
  const code = new URL(done.url!).searchParams.get('code')!;
  const tokens = await tokenRequest(
    server,
    { clientId: client.client_id },
    { grant_type: 'authorization_code', code, redirect_uri: CHATGPT_REDIRECT, code_verifier: verifier, resource: server.mcpUrl },
  );
  return { page: consent.text, token: tokens.body.access_token as string, scope: tokens.body.scope as string };
}

describeWithBwrap('process tool and OAuth (built-in authorization server)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      env: { ...BUILTIN, ...PROCESS_ENV, MCP_API_KEYS: KEYS },
      toolFactories: [createProcessTool],
      publicUrl: true,
    });
  });
  afterAll(async () => server?.close());

  it('advertises and asks for the exec scope while the tool is on', async () => {
    const prm = await (await fetch(`${server.url}/.well-known/oauth-protected-resource/mcp`)).json();
    expect(prm.scopes_supported).toEqual(['mcp:read', 'mcp:write', 'mcp:exec']);
    const unauthenticated = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, undefined, V);
    expect(unauthenticated.status).toBe(401);
    const challenge = unauthenticated.headers.get('www-authenticate');
    expect(challenge).toContain('scope="mcp:read mcp:write mcp:exec"');
  });

  it('Security: the consent page asks about exec separately, unticked; read+write never grants it', async () => {
    const { page, token, scope } = await tokenFor(server, 'mcp:read mcp:write mcp:exec', { key: RUNNER_KEY });
    expect(page).toMatch(/<input type="checkbox" id="exec" name="exec" value="yes">/);
    expect(scope).toBe('mcp:read mcp:write');

    const listed = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, token, V);
    expect(JSON.stringify(listed.body)).not.toContain('run_process');
    // MCP: an isError result carrying the step-up challenge for the exec scope.
    const called = await rpc(server.mcpUrl, toolsCall(2, 'run_process', { argv: ['true'] }), token, V);
    expect(called.body.result.isError).toBe(true);
    expect(called.body.result._meta['mcp/www_authenticate'][0]).toContain('scope="mcp:read mcp:write mcp:exec"');
    // Envelope: 403.
    const enveloped = await fetch(server.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(envelope('process', 'run', { argv: ['true'] })),
    });
    expect(enveloped.status).toBe(403);
    expect(((await enveloped.json()) as { content: { code: string } }).content.code).toBe('FORBIDDEN');
  });

  it('Security: exec ticked with a key that lacks exec grants no exec', async () => {
    const { scope } = await tokenFor(server, 'mcp:read mcp:write mcp:exec', { key: ADMIN_KEY, exec: 'yes' });
    expect(scope).toBe('mcp:read mcp:write');
  });

  it('exec ticked with a key that has it: the token runs commands in both dialects', async () => {
    const { token, scope } = await tokenFor(server, 'mcp:read mcp:write mcp:exec', { key: RUNNER_KEY, exec: 'yes' });
    expect(scope.split(' ').sort()).toEqual(['mcp:exec', 'mcp:read', 'mcp:write']);
    const called = await rpc(server.mcpUrl, toolsCall(3, 'run_process', { argv: ['echo', 'via oauth'] }), token, V);
    expect(called.body.result.structuredContent).toMatchObject({ exit_code: 0, stdout: 'via oauth\n' });
    const enveloped = await fetch(server.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(envelope('process', 'run', { argv: ['echo', 'hi'] })),
    });
    expect(enveloped.status).toBe(200);
  });
});

describe('OAuth with the process tool off', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { ...BUILTIN, MCP_API_KEYS: KEYS }, toolFactories: [createProcessTool], publicUrl: true });
  });
  afterAll(async () => server?.close());

  it('neither advertises exec nor offers it on the consent page, and never grants it', async () => {
    const prm = await (await fetch(`${server.url}/.well-known/oauth-protected-resource/mcp`)).json();
    expect(prm.scopes_supported).toEqual(['mcp:read', 'mcp:write']);
    const { page, scope } = await tokenFor(server, 'mcp:read mcp:write mcp:exec', { key: RUNNER_KEY, exec: 'yes' });
    expect(page).not.toContain('name="exec"');
    expect(scope).toBe('mcp:read mcp:write');
  });
});

import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginAccount, LoginInteraction, LoginMethod, LoginRequest, LoginVerdict } from '../../../src/auth/authServer/login.js';
import { escapeHtml } from '../../../src/auth/authServer/pages.js';
import { CONSENT_PATH, MOUNT } from '../../../src/auth/authServer/provider.js';
import type { Scope } from '../../../src/core/caller.js';
import { connectClient, startServer, type TestServer } from '../../helpers/server.js';
import { createTestTool } from '../../helpers/testTools.js';
import { rpc } from '../wire.js';
import {
  BUILTIN,
  type Browser,
  CLAUDE_REDIRECT,
  openAuthorization,
  openConsent,
  recordingLogger,
  registerPublic,
  submitConsent,
  tokenRequest,
} from './flow.js';

const UPSTREAM = 'https://login.example.test';
const START = `${MOUNT}/login/example/start`;
const CALLBACK = `${MOUNT}/login/example/callback`;
const STATE_COOKIE = 'example_login_state';

/**
 * A stand-in for an upstream login (GitHub, Google) with the shape README describes: the consent
 * page links to its own start route, which sends the browser to the upstream with a state bound to
 * this browser; the upstream's callback (its own route too) keeps who signed in for that
 * interaction; the form then says "approve as them", and an allowlist says what they may do.
 */
class ExampleLogin implements LoginMethod {
  readonly id = 'example';
  readonly goneMessage = 'The Example account that approved this token may no longer use this server. Authorize again.';
  /** The allowlist in configuration: Example user → the most their tokens may do. */
  readonly allowed = new Map<string, Scope[]>([['alice', ['read']]]);
  readonly router = Router();
  /** Codes the upstream handed out (code → user), pending sign-ins (state → interaction), who signed in where. */
  private readonly codes = new Map<string, string>();
  private readonly pending = new Map<string, string>();
  private readonly signedIn = new Map<string, string>();

  constructor() {
    this.router.get(START, (req, res) => {
      const state = randomBytes(16).toString('base64url');
      this.pending.set(state, String(req.query.interaction));
      res.cookie(STATE_COOKIE, state, { httpOnly: true, sameSite: 'lax', path: CALLBACK });
      res.redirect(303, `${UPSTREAM}/authorize?state=${state}&redirect_uri=${encodeURIComponent(CALLBACK)}`);
    });
    this.router.get(CALLBACK, (req, res) => {
      const state = String(req.query.state);
      const cookie = /example_login_state=([\w-]+)/.exec(req.get('cookie') ?? '')?.[1];
      const uid = this.pending.get(state);
      const user = this.codes.get(String(req.query.code));
      this.codes.delete(String(req.query.code));
      if (cookie !== state || !uid || !user) return res.status(400).send('This sign-in did not start here.');
      this.pending.delete(state);
      this.signedIn.set(uid, user);
      res.redirect(303, `${CONSENT_PATH}/${uid}`);
    });
  }

  /** The upstream's side: the user signs in there; it answers with a code for the callback. */
  upstreamSignIn(user: string): string {
    const code = randomBytes(12).toString('base64url');
    this.codes.set(code, user);
    return code;
  }

  renderFields({ uid }: LoginInteraction): string {
    const user = this.signedIn.get(uid);
    if (!user) return `<p><a id="example-sign-in" href="${START}?interaction=${encodeURIComponent(uid)}">Sign in with Example</a></p>`;
    return `<p id="example-user">Signed in with Example as <b>${escapeHtml(user)}</b></p>
<input type="hidden" name="login" value="example">`;
  }

  async verify(form: Record<string, unknown>, { interactionId }: LoginRequest): Promise<LoginVerdict> {
    const user = this.signedIn.get(interactionId);
    if (form.login !== 'example' || !user) return { ok: false, status: 401, message: 'Sign in with Example first.' };
    const account = this.find(`example:${user}`);
    if (!account) return { ok: false, status: 403, message: `The Example user "${user}" may not approve anything on this server.` };
    this.signedIn.delete(interactionId);
    return { ok: true, account };
  }

  find(accountId: string): LoginAccount | undefined {
    const user = accountId.startsWith('example:') ? accountId.slice('example:'.length) : undefined;
    const scopes = user === undefined ? undefined : this.allowed.get(user);
    if (!user || !scopes) return undefined;
    return { accountId, name: user, callerId: accountId, label: `The Example user "${user}"`, scopes: new Set(scopes) };
  }
}

const login = new ExampleLogin();
const { logger, records } = recordingLogger();
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: BUILTIN, toolFactories: [createTestTool], publicUrl: true, logger, login });
});
afterAll(async () => {
  await server?.close();
});

const listTools = (token: string) =>
  rpc(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, token, { 'mcp-protocol-version': '2025-06-18' });

/** Opens the consent page for a new public client, as Claude would. */
async function startAuthorization(clientName = 'Example client') {
  const client = await registerPublic(server, CLAUDE_REDIRECT, { client_name: clientName });
  const { browser, verifier, consent } = await openAuthorization(server, { clientId: client.client_id, redirectUri: CLAUDE_REDIRECT });
  return { clientId: client.client_id, browser, verifier, consent };
}

/** Follows the page's "Sign in with Example" link out to the upstream and back: the consent page again. */
async function signInWithExample(browser: Browser, page: { text: string }, user: string) {
  const link = /id="example-sign-in" href="([^"]+)"/.exec(page.text)?.[1];
  expect(link).toBeDefined();
  const atUpstream = await browser.follow(link!);
  const upstream = new URL(atUpstream.url);
  expect(upstream.origin).toBe(UPSTREAM);
  const back = new URL(upstream.searchParams.get('redirect_uri')!, server.url);
  back.searchParams.set('state', upstream.searchParams.get('state')!);
  back.searchParams.set('code', login.upstreamSignIn(user));
  const consent = await openConsent(browser, back.href);
  expect(consent.status).toBe(200);
  return consent;
}

async function approveAsAlice() {
  const { clientId, browser, verifier, consent } = await startAuthorization();
  const signedIn = await signInWithExample(browser, consent, 'alice');
  // The owner picks read and write; alice may only read.
  const done = await submitConsent(browser, server, signedIn, { login: 'example', access: 'write', decision: 'approve' });
  expect(done.url?.startsWith(CLAUDE_REDIRECT)).toBe(true);
  const code = new URL(done.url!).searchParams.get('code')!;
  const tokens = await tokenRequest(
    server,
    { clientId },
    { grant_type: 'authorization_code', code, redirect_uri: CLAUDE_REDIRECT, code_verifier: verifier, resource: server.mcpUrl },
  );
  expect(tokens.status).toBe(200);
  return { clientId, tokens: tokens.body };
}

describe('a login method plugged into the built-in authorization server', () => {
  it("shows the method's fields instead of the API key, and still escapes the client's text around them", async () => {
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const { browser, consent } = await startAuthorization(hostile);
    expect(consent.text).toContain('>Sign in with Example</a>');
    expect(consent.text).not.toContain('name="key"');
    const signedIn = await signInWithExample(browser, consent, 'alice');
    for (const page of [consent, signedIn]) {
      expect(page.text).not.toContain('<script>alert');
      expect(page.text).not.toContain('<img src=x');
      expect(page.text).toContain('&#60;script&#62;alert(1)&#60;&#47;script&#62;');
      expect(page.text).toContain('claude.ai');
    }
    expect(signedIn.text).toContain('Signed in with Example as <b>alice</b>');
    expect(signedIn.text).toContain('name="login" value="example"');
    expect(signedIn.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it("issues tokens for the method's account, never beyond its scopes, that work over MCP", async () => {
    const { clientId, tokens } = await approveAsAlice();
    expect(tokens.scope).toBe('mcp:read');
    expect(tokens.refresh_token).toBeTruthy();

    const client = await connectClient(server.mcpUrl, '2025-11-25', tokens.access_token);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('test_echo');
      const write = await client.callTool({ name: 'test_bump', arguments: {} });
      expect(write.isError).toBe(true);
    } finally {
      await client.close();
    }
    // The caller is the method's account: its caller id and name, through this client.
    const checked = await server.built.authServer!.authenticator.authenticate(tokens.access_token);
    expect(checked).toMatchObject({ ok: true, caller: { id: 'example:alice', name: `alice via ${clientId}`, via: 'oauth' } });
    expect(checked?.ok && [...checked.caller.scopes]).toEqual(['read']);
    expect(records.some((r) => r.message === 'request' && r.path === '/mcp' && r.caller === `alice via ${clientId}`)).toBe(true);
  });

  // Security: approval needs the method's own sign-in for this interaction; the form alone is not enough.
  it('refuses to approve before the sign-in, for a user not on its list, or from a forged callback', async () => {
    const { browser, consent } = await startAuthorization();
    const claimed = await submitConsent(browser, server, consent, { login: 'example', access: 'read', decision: 'approve' });
    expect(claimed.status).toBe(401);
    expect(claimed.text).toContain('Sign in with Example first.');
    expect(claimed.url).toBeUndefined();

    // A callback with a state this browser did not start is refused, and signs nobody in.
    const forged = await browser.request(`${CALLBACK}?state=made-up&code=${login.upstreamSignIn('alice')}`);
    expect(forged.status).toBe(400);

    const mallory = await signInWithExample(browser, consent, 'mallory');
    const refused = await submitConsent(browser, server, mallory, { login: 'example', access: 'read', decision: 'approve' });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('The Example user &#34;mallory&#34; may not approve anything on this server.');
    expect(refused.url).toBeUndefined();
  });

  it("refuses the token and its refresh token with the method's message once it no longer knows the account", async () => {
    const { clientId, tokens } = await approveAsAlice();
    expect((await listTools(tokens.access_token)).status).toBe(200);

    login.allowed.delete('alice');
    try {
      const refused = await listTools(tokens.access_token);
      expect(refused.status).toBe(401);
      expect(refused.body.error.message).toContain(login.goneMessage);
      const refresh = await tokenRequest(server, { clientId }, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      expect(refresh.status).toBe(400);
      expect(refresh.body).toEqual({ error: 'invalid_grant', error_description: login.goneMessage });
    } finally {
      login.allowed.set('alice', ['read']);
    }
  });
});

import { createHash, randomBytes } from 'node:crypto';
import winston, { type Logger } from 'winston';
import { Writable } from 'node:stream';
import type { Env } from '../../../src/config/index.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { createTestTool } from '../../helpers/testTools.js';

// The suites register many clients from one address; the registration-limit test sets its own.
export const BUILTIN: Env = { AUTH_MODE: 'both', OAUTH_SERVER: 'builtin', OAUTH_REGISTRATIONS_PER_HOUR: '10000' };
export const CHATGPT_REDIRECT = 'https://chatgpt.com/connector_platform_oauth_redirect';
export const CLAUDE_REDIRECT = 'https://claude.ai/api/mcp/auth_callback';

/** What the flow helpers need of a server: an in-process TestServer or a child process. */
export type ServerUrls = Pick<TestServer, 'url' | 'mcpUrl'>;

/** The real app as its own authorization server, PUBLIC_URL = the address it listens on. */
export function startBuiltinServer(env: Env = {}, port?: number, logger?: Logger): Promise<TestServer> {
  return startServer({ env: { ...BUILTIN, ...env }, toolFactories: [createTestTool], publicUrl: true, port, logger });
}

/** A logger that keeps every record, to check audit lines. */
export function recordingLogger(): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) records.push(JSON.parse(line));
      done();
    },
  });
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, records };
}

/** A browser-like HTTP client: keeps cookies per path, never follows redirects by itself. */
export class Browser {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  /**
   * `publicOrigin`: the one URL of several replicas (PUBLIC_URL); redirects to it are sent to this
   * replica, as a load balancer would.
   */
  constructor(
    private readonly origin: string,
    private readonly publicOrigin: string = origin,
  ) {}

  private route(url: URL): URL {
    return url.origin === this.publicOrigin ? new URL(`${this.origin}${url.pathname}${url.search}`) : url;
  }

  private cookieHeader(url: URL): string {
    return [...this.cookies.entries()]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([k, c]) => `${k}=${c.value}`)
      .join('; ');
  }

  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}) {
    const target = new URL(url, this.origin);
    const headers: Record<string, string> = { ...init.headers };
    if (target.origin === this.origin) {
      const cookie = this.cookieHeader(target);
      if (cookie) headers.cookie = cookie;
    }
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const [name, ...value] = pair!.split('=');
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired = attributes.some((a) => /^expires=thu, 01 jan 1970/i.test(a));
      if (expired) this.cookies.delete(name!);
      else this.cookies.set(name!, { value: value.join('='), path });
    }
    return {
      status: response.status,
      location: response.headers.get('location') ?? undefined,
      headers: response.headers,
      text: await response.text(),
    };
  }

  /** Follows redirects on our origin; stops at the first page (200/4xx) or at a foreign Location. */
  async follow(url: string) {
    let answer = await this.request(url);
    let current = new URL(url, this.origin);
    for (let i = 0; i < 10 && answer.location; i++) {
      const next = this.route(new URL(answer.location, current));
      if (next.origin !== this.origin) return { ...answer, url: next.href };
      current = next;
      answer = await this.request(next.href);
    }
    return { ...answer, url: current.href };
  }
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function register(server: ServerUrls, metadata: Record<string, unknown>) {
  const response = await fetch(`${server.url}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

export async function registerPublic(server: ServerUrls, redirectUri: string, extra: Record<string, unknown> = {}) {
  const { status, body } = await register(server, {
    client_name: 'Test client',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...extra,
  });
  if (status !== 201) throw new Error(`registration failed: ${status} ${JSON.stringify(body)}`);
  return body as { client_id: string; client_secret?: string };
}

export function authorizeUrl(server: ServerUrls, params: Record<string, string | undefined>): string {
  const url = new URL(`${server.url}/oauth/authorize`);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

/** Opens the authorize URL; returns the consent page (HTML, its form action and CSRF token). */
export async function openConsent(browser: Browser, url: string) {
  const page = await browser.follow(url);
  const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1]?.replace(/&#47;/g, '/');
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
  return { ...page, action, csrf };
}

/** Submits the consent form; follows our redirects up to the client's redirect URI. */
export async function submitConsent(
  browser: Browser,
  server: ServerUrls,
  consent: { action?: string; csrf?: string },
  fields: Record<string, string>,
  // The form's Origin is the public URL (with replicas, not the address of the one answering).
  headers: Record<string, string> = { origin: new URL(server.mcpUrl).origin },
) {
  const answer = await browser.request(`${server.url}${consent.action}`, { form: { csrf: consent.csrf ?? '', ...fields }, headers });
  if (!answer.location) return { ...answer, url: undefined as string | undefined };
  let next = new URL(answer.location, server.url);
  if (next.origin === new URL(server.mcpUrl).origin) next = new URL(`${server.url}${next.pathname}${next.search}`);
  if (next.origin !== server.url) return { ...answer, url: next.href };
  return browser.follow(next.href);
}

export interface FlowOptions {
  redirectUri: string;
  clientId: string;
  clientSecret?: string;
  /** client_secret_post instead of client_secret_basic. */
  secretInBody?: boolean;
  key: string;
  access?: 'read' | 'write';
  scope?: string;
  resource?: string;
}

/** A new browser opens the authorize URL (PKCE S256, a fresh state) and lands on the consent page. */
export async function openAuthorization(server: ServerUrls, options: Pick<FlowOptions, 'clientId' | 'redirectUri' | 'scope' | 'resource'>) {
  const browser = new Browser(server.url, new URL(server.mcpUrl).origin);
  const { verifier, challenge } = pkce();
  const state = randomBytes(8).toString('hex');
  const consent = await openConsent(
    browser,
    authorizeUrl(server, {
      response_type: 'code',
      client_id: options.clientId,
      redirect_uri: options.redirectUri,
      scope: options.scope ?? 'mcp:read mcp:write',
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      resource: options.resource ?? server.mcpUrl,
    }),
  );
  if (consent.status !== 200 || !consent.csrf) throw new Error(`no consent page: ${consent.status} ${consent.text.slice(0, 300)}`);
  return { browser, verifier, state, consent };
}

/** The whole authorization-code flow without a real browser: returns the token response. */
export async function authorize(server: ServerUrls, options: FlowOptions) {
  const { browser, verifier, state, consent } = await openAuthorization(server, options);
  const done = await submitConsent(browser, server, consent, { key: options.key, access: options.access ?? 'write', decision: 'approve' });
  if (!done.url?.startsWith(options.redirectUri)) throw new Error(`no redirect to the client: ${done.status} ${done.text.slice(0, 300)}`);
  const callback = new URL(done.url);
  if (callback.searchParams.get('state') !== state) throw new Error('state lost');
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code: ${callback.search}`);
  const tokens = await tokenRequest(server, options, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: options.redirectUri,
    code_verifier: verifier,
    resource: options.resource ?? server.mcpUrl,
  });
  return { ...tokens, code, verifier, callback };
}

export async function tokenRequest(
  server: ServerUrls,
  client: { clientId: string; clientSecret?: string; secretInBody?: boolean },
  params: Record<string, string>,
) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams(params);
  if (client.clientSecret && client.secretInBody) {
    body.set('client_id', client.clientId);
    body.set('client_secret', client.clientSecret);
  } else if (client.clientSecret)
    headers.authorization = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
  else body.set('client_id', client.clientId);
  const response = await fetch(`${server.url}/oauth/token`, { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createApp, type App } from '../../src/app.js';
import { listen } from '../../src/http/listen.js';
import { loadConfig, type Config, type Env } from '../../src/config/index.js';
import type { ToolFactory } from '../../src/core/toolModule.js';
import { createSilentLogger } from '../../src/infra/logger.js';
import { prepareAuth } from '../../src/startup.js';

export const ADMIN_KEY = 'admin-key-0123456789';
export const READER_KEY = 'reader-key-0123456789';
export const TEST_KEYS = `admin:${ADMIN_KEY}:read+write,reader:${READER_KEY}:read`;

export interface TestServer {
  url: string;
  mcpUrl: string;
  config: Config;
  built: App;
  http: Server;
  workspaceDir: string;
  dataDir: string;
  close: () => Promise<void>;
}

export interface StartOptions {
  env?: Env;
  toolFactories?: ToolFactory[];
  /** Set PUBLIC_URL to the address the server really listens on (OAuth metadata names it). */
  publicUrl?: boolean;
  /** Leave WORKSPACE_DIR missing, as on a fresh clone: the server creates it (and its welcome file). */
  freshWorkspace?: boolean;
  /** The app's logger (default: silent). */
  logger?: import('winston').Logger;
  /** Listen on this port instead of an ephemeral one (a restart that must keep its URL). */
  port?: number;
  /** The consent page's login method (OAUTH_SERVER=builtin; default: the API key). */
  login?: import('../../src/auth/authServer/login.js').LoginMethod;
}

/**
 * Starts the real app on an ephemeral loopback port with temp DATA_DIR/WORKSPACE_DIR. The port is
 * bound first, so configuration may name the URL clients will use.
 */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-server-test-'));
  // Checked often, so tests of the socket time limits need not wait for Node's 30 s default.
  const listener = createServer({ connectionsCheckingInterval: 100 });
  await listen(listener, options.port ?? 0, '127.0.0.1');
  const { port } = listener.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const env: Env = {
    MCP_API_KEYS: TEST_KEYS,
    DATA_DIR: path.join(root, 'data'),
    WORKSPACE_DIR: path.join(root, 'workspace'),
    PORT: '0',
    // Suites make many calls from one key; rate-limit tests set their own limit.
    RATE_LIMIT_MAX: '0',
    ...(options.publicUrl ? { PUBLIC_URL: url } : {}),
    ...options.env,
  };
  mkdirSync(env.DATA_DIR!, { recursive: true });
  if (!options.freshWorkspace) mkdirSync(env.WORKSPACE_DIR!, { recursive: true });
  let built: App;
  let config: Config;
  try {
    config = loadConfig(env, root);
    prepareAuth(config);
    built = await createApp({
      config,
      logger: options.logger ?? createSilentLogger(),
      toolFactories: options.toolFactories,
      login: options.login,
    });
  } catch (error) {
    listener.close();
    throw error;
  }
  // The socket limits production sets (src/http/listen.ts), on the already-bound server.
  const http = listener;
  http.headersTimeout = Math.min(config.server.headersTimeoutMs, config.server.requestTimeoutMs);
  http.requestTimeout = config.server.requestTimeoutMs;
  http.keepAliveTimeout = 5_000;
  http.on('request', built.app);
  return {
    url,
    mcpUrl: `${url}/mcp`,
    config,
    built,
    http,
    workspaceDir: config.server.workspaceDir,
    dataDir: config.server.dataDir,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await built.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export type ClientVersion = '2025-03-26' | '2025-06-18' | '2025-11-25' | '2026-07-28';

/** The official MCP client, connected as a client of the given protocol revision. */
export async function connectClient(
  mcpUrl: string,
  version: ClientVersion = '2025-11-25',
  key: string | undefined = ADMIN_KEY,
): Promise<Client> {
  const modern = version === '2026-07-28';
  const client = new Client(
    { name: 'test-client', version: '1.0.0' },
    modern ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : { supportedProtocolVersions: [version] },
  );
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    requestInit: key ? { headers: { Authorization: `Bearer ${key}` } } : undefined,
  });
  await client.connect(transport);
  return client;
}

/** A valid envelope request around one call. */
export function envelope(
  toolName: string,
  operation: string,
  parameters: Record<string, unknown> = {},
  metadata?: Record<string, unknown>,
) {
  return {
    message_id: `msg_${Math.random().toString(36).slice(2)}`,
    timestamp: new Date().toISOString(),
    source: 'model',
    destination: 'tool',
    message_type: 'request',
    content: { tool_name: toolName, operation, parameters },
    ...(metadata ? { metadata } : {}),
  };
}

/** POSTs JSON to /mcp and returns status, headers and parsed body. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: json };
}

/** A raw node:http POST, for headers fetch will not let us set (Host). */
export function rawPost(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: 'POST',
        headers: { 'content-length': Buffer.byteLength(body), ...headers },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

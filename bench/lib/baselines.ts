import os from 'node:os';
import path from 'node:path';
import { startChild, type ChildServer } from './child.js';
import { post } from './http.js';

export type BaselineName = 'rawNode' | 'express' | 'sdkEcho' | 'sdkStateful' | 'fastmcpEcho';

/** Starts one hand-written baseline on bare node, with the same NODE_ENV as our server. */
export function startBaseline(
  baselineDir: string,
  name: BaselineName,
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
  label: string = name,
): Promise<ChildServer> {
  return startChild(label, [...nodeArgs, path.join(baselineDir, `${name}.js`)], {
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', ...env },
    readyTimeoutMs: 30_000,
  });
}

/**
 * Opens one MCP session on a stateful server (initialize, then notifications/initialized) and
 * returns the headers every later request of the session carries.
 */
export async function openSession(mcpUrl: string, headers: Record<string, string>): Promise<Record<string, string>> {
  const initialize = JSON.stringify({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: headers['mcp-protocol-version'], capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } },
  });
  const reply = await post(mcpUrl, initialize, headers);
  const session = reply.headers['mcp-session-id'];
  if (reply.status !== 200 || typeof session !== 'string')
    throw new Error(`no session from ${mcpUrl}: ${reply.status} ${reply.text.slice(0, 200)}`);
  const withSession = { ...headers, 'mcp-session-id': session };
  await post(mcpUrl, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), withSession);
  return withSession;
}

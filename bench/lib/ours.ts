import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChild, type ChildServer } from './child.js';
import { releaseTempDir, trackTempDir } from './cleanup.js';
import { envelopeBody, envelopeHeaders, mcpHeaders, toolsCallBody } from './requests.js';
import { mcpMessage, post, type Reply } from './http.js';
import { REPO_ROOT, SERVER_ENTRY } from './paths.js';

/**
 * The node flags `npm start` runs the server with (e.g. --max-semi-space-size), read from
 * package.json so the bench measures the server as it is deployed.
 */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { scripts?: Record<string, string> };
  const words = (pkg.scripts?.start ?? '').split(/\s+/);
  if (words[0] !== 'node') return [];
  return words.slice(1).filter((w) => w.startsWith('--'));
}

/** Defaults every instance of our server runs with (recorded in the results). */
export const OUR_DEFAULT_ENV = {
  LOG_LEVEL: 'warn',
  // The limiter stays in the path (its cost is measured) but never throttles a bench run.
  RATE_LIMIT_MAX: '1000000',
  NODE_ENV: 'production',
  AUTH_MODE: 'api_key',
  HOST: '127.0.0.1',
} as const;

export interface OurServer extends ChildServer {
  key: string;
  root: string;
  workspaceDir: string;
  dataDir: string;
  envelope: (tool: string, operation: string, parameters?: Record<string, unknown>) => Promise<Reply & { json: any }>;
  mcp: (name: string, args?: Record<string, unknown>) => Promise<Reply & { message: ReturnType<typeof mcpMessage> }>;
  /** tool name → operation names, from discovery.list_tools. */
  tools: () => Promise<Map<string, string[]>>;
  /** discovery.get_tool_documentation for one tool; undefined when the tool is absent. */
  documentation: (tool: string) => Promise<OperationDoc[] | undefined>;
  /** Stops the process and removes its temp folders. */
  dispose: () => Promise<void>;
}

export interface OperationDoc {
  name: string;
  mcp_name: string;
  read_only: boolean;
  parameters: { properties?: Record<string, { type?: string }>; required?: string[] };
}

export interface OurOptions {
  name: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** Fills the workspace before the server starts (it indexes at startup). */
  prepareWorkspace?: (workspaceDir: string) => Promise<void> | void;
  readyTimeoutMs?: number;
}

/** Starts `node dist/index.js` in its own temp DATA_DIR/WORKSPACE_DIR with a bench API key. */
export async function startOurs(options: OurOptions): Promise<OurServer> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-bench-server-'));
  trackTempDir(root);
  const dataDir = path.join(root, 'data');
  const workspaceDir = path.join(root, 'workspace');
  mkdirSync(dataDir);
  mkdirSync(workspaceDir);
  await options.prepareWorkspace?.(workspaceDir);
  const key = `bench-${randomBytes(12).toString('hex')}`;
  // A clean environment: nothing from the caller's shell or a .env file (cwd is the temp root).
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: root,
    ...OUR_DEFAULT_ENV,
    PORT: '0',
    DATA_DIR: dataDir,
    WORKSPACE_DIR: workspaceDir,
    MCP_API_KEYS: `bench:${key}:read+write`,
    ...options.env,
  };
  let child: ChildServer;
  try {
    child = await startChild(options.name, [...startFlags(), ...(options.nodeArgs ?? []), SERVER_ENTRY], {
      env,
      cwd: root,
      readyTimeoutMs: options.readyTimeoutMs,
    });
  } catch (error) {
    releaseTempDir(root);
    throw error;
  }

  const envelope: OurServer['envelope'] = async (tool, operation, parameters = {}) => {
    const reply = await post(child.mcpUrl, envelopeBody(tool, operation, parameters), envelopeHeaders(key));
    let json: any;
    try {
      json = JSON.parse(reply.text);
    } catch {
      json = undefined;
    }
    return { ...reply, json };
  };
  const mcp: OurServer['mcp'] = async (name, args = {}) => {
    const reply = await post(child.mcpUrl, toolsCallBody(name, args), mcpHeaders(key));
    return { ...reply, message: mcpMessage(reply.text) };
  };
  const tools = async () => {
    const reply = await envelope('discovery', 'list_tools');
    if (reply.status !== 200)
      throw new Error(`${options.name}: discovery.list_tools answered ${reply.status}: ${reply.text.slice(0, 300)}`);
    return new Map<string, string[]>(
      (reply.json.content.tools as { name: string; operations: string[] }[]).map((t) => [t.name, t.operations]),
    );
  };
  const documentation = async (tool: string) => {
    const reply = await envelope('discovery', 'get_tool_documentation', { tool_name: tool });
    return reply.status === 200 ? (reply.json.content.operations as OperationDoc[]) : undefined;
  };
  return {
    ...child,
    key,
    root,
    workspaceDir,
    dataDir,
    envelope,
    mcp,
    tools,
    documentation,
    dispose: async () => {
      await child.stop();
      releaseTempDir(root);
    },
  };
}

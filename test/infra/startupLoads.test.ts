import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { connectClient, envelope, postJson, TEST_KEYS } from '../helpers/server.js';

/**
 * Idle memory (bench/README.md, "Idle RSS"): packages only some deployments or some requests need
 * load when first needed. Each one back at start-up costs megabytes of idle RSS in every process,
 * so a plain `import` of one of them somewhere on the start-up path fails here, naming it.
 */
const NOT_AT_START_UP = [
  'jose', // the first JWT access token to verify (OAuth resource server)
  'oidc-provider', // OAUTH_SERVER=builtin
  'html-to-text', // the SearXNG/Brave providers (snippets); fetched pages convert in worker threads
  '@modelcontextprotocol/node', // the SDK's Node adapter: batches, the SDK's own refusals
  '@hono/node-server',
  'ioredis', // REDIS_URL
  'pg', // DATABASE_URL
];

const root = mkdtempSync(path.join(os.tmpdir(), 'startup-loads-'));
const logFile = path.join(root, 'loaded.txt');
let server: ServerProcess | undefined;

/** Every file the server process resolved (ES modules through a loader hook, CommonJS through require). */
function loadedPackages(): Set<string> {
  const names = new Set<string>();
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
    if (match) names.add(match[1]!);
  }
  return names;
}

beforeAll(async () => {
  const esmHooks = path.join(root, 'hooks.mjs');
  writeFileSync(
    esmHooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(logFile)}, result.url + '\\n');
  return result;
}
`,
  );
  const register = path.join(root, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(esmHooks).href)});\n`);
  const cjsHook = path.join(root, 'require.cjs');
  writeFileSync(
    cjsHook,
    `const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const file = resolveFilename.apply(this, args);
  appendFileSync(${JSON.stringify(logFile)}, file + '\\n');
  return file;
};
`,
  );
  writeFileSync(logFile, '');
  server = await spawnServer({
    MCP_API_KEYS: TEST_KEYS,
    NODE_OPTIONS: `--require ${cjsHook} --import ${pathToFileURL(register).href}`,
  });
}, 60_000);

afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  rmSync(root, { recursive: true, force: true });
});

describe('start-up loads only what the configuration needs', () => {
  it('serves a call with API keys and the defaults without loading the optional packages', async () => {
    const reply = await postJson(server!.mcpUrl, envelope('discovery', 'list_tools'));
    expect(reply.status).toBe(200);
    const loaded = loadedPackages();
    // The hooks saw the start-up: what every start loads is in the list.
    expect(loaded).toContain('express');
    expect(loaded).toContain('@modelcontextprotocol/server');
    expect(loaded).toContain('better-sqlite3');
    expect(NOT_AT_START_UP.filter((name) => loaded.has(name))).toEqual([]);
  });

  it('serves whole sessions of 2025-era and 2026-07-28 MCP clients without the SDK Node adapter', async () => {
    for (const version of ['2025-03-26', '2025-11-25', '2026-07-28'] as const) {
      const client = await connectClient(server!.mcpUrl, version);
      try {
        expect((await client.listTools()).tools.length).toBeGreaterThan(0);
        expect((await client.callTool({ name: 'list_tools', arguments: {} })).isError).toBeFalsy();
      } finally {
        await client.close();
      }
    }
    const loaded = loadedPackages();
    expect(loaded.has('@modelcontextprotocol/node')).toBe(false);
    expect(loaded.has('@hono/node-server')).toBe(false);
  });
});

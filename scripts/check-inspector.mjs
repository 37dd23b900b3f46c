// CI check of `npm run inspector`: starts the built server as a first start would (no key
// configured, so it generates DATA_DIR/api-key), runs the README's
// `npm run inspector -- --cli --method tools/list` against it, and checks the tools come back.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startLocalServer } from './lib/localServer.mjs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-inspector-check-'));
const env = { DATA_DIR: path.join(dir, 'data'), WORKSPACE_DIR: path.join(dir, 'workspace'), MCP_API_KEYS: '', AUTH_MODE: 'api_key' };
const server = await startLocalServer(env);
let ok = false;
try {
  const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'inspector', '--', '--cli', '--method', 'tools/list'], {
    env: { ...process.env, ...env, PORT: String(server.port), HOST: '127.0.0.1', PUBLIC_URL: '' },
    encoding: 'utf8',
    timeout: 300_000,
  });
  const names = JSON.parse(stdout).tools.map((tool) => tool.name);
  ok = ['list_tools', 'read_file', 'query', 'search'].every((name) => names.includes(name));
  console.log(
    `${ok ? 'PASS' : 'FAIL'}  npm run inspector -- --cli --method tools/list: ${names.length} tools (${names.slice(0, 4).join(', ')}, …)`,
  );
} catch (error) {
  console.log(`FAIL  npm run inspector -- --cli --method tools/list: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);

// CI check of `npm run inspector`: starts the built server as a first start would (no key
// configured, so it generates DATA_DIR/api-key), runs the README's
// `npm run inspector -- --cli --method tools/list` (and its resources commands) against it, and
// checks what comes back.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startLocalServer } from './lib/localServer.mjs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-inspector-check-'));
const env = { DATA_DIR: path.join(dir, 'data'), WORKSPACE_DIR: path.join(dir, 'workspace'), MCP_API_KEYS: '', AUTH_MODE: 'api_key' };
const server = await startLocalServer(env);

/** Each check: the Inspector CLI arguments, and what its JSON output must show (a one-line summary). */
const checks = [
  {
    args: ['--method', 'tools/list'],
    verify: (out) => {
      const names = out.tools.map((tool) => tool.name);
      const ok = ['list_tools', 'read_file', 'query', 'search'].every((name) => names.includes(name));
      return [ok, `${names.length} tools (${names.slice(0, 4).join(', ')}, …)`];
    },
  },
  {
    // The welcome file the first start wrote, as a resource.
    args: ['--method', 'resources/list'],
    verify: (out) => [out.resources.some((r) => r.uri === 'file:///welcome.md'), `${out.resources.length} resources`],
  },
  {
    args: ['--method', 'resources/read', '--uri', 'file:///welcome.md'],
    verify: (out) => [typeof out.contents?.[0]?.text === 'string' && out.contents[0].mimeType === 'text/markdown', 'welcome.md as text'],
  },
];

let ok = true;
try {
  for (const check of checks) {
    const command = `npm run inspector -- --cli ${check.args.join(' ')}`;
    try {
      const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'inspector', '--', '--cli', ...check.args], {
        env: { ...process.env, ...env, PORT: String(server.port), HOST: '127.0.0.1', PUBLIC_URL: '' },
        encoding: 'utf8',
        timeout: 300_000,
      });
      const [passed, summary] = check.verify(JSON.parse(stdout));
      ok &&= passed;
      console.log(`${passed ? 'PASS' : 'FAIL'}  ${command}: ${summary}`);
    } catch (error) {
      ok = false;
      console.log(`FAIL  ${command}: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
  }
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);

// CI check of `npm run inspector`: starts the built server as a first start would (no key
// configured, so it generates DATA_DIR/api-key), runs the README's
// `npm run inspector -- --cli --method tools/list --strict` (and its resources commands) against
// it, and checks what comes back. `--strict` prints each schema-portability finding on stderr
// ("Warning: tool …" / "Error: tool …") but exits non-zero only for errors, so the findings are
// read from stderr: a tool schema some clients would drop fails CI, warning or not.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startLocalServer } from './lib/localServer.mjs';

/** The findings in the Inspector's `--strict` report: `Warning|Error <tool> Path: <where>`, one each. */
export function schemaFindings(stderr) {
  const lines = stderr.split('\n');
  const findings = [];
  for (const [i, line] of lines.entries()) {
    const m = /^(Warning|Error): tool "([^"]+)"/.exec(line);
    if (m) findings.push(`${m[1]} ${m[2]} ${(lines[i + 1] ?? '').trim()}`);
  }
  const summary = lines.find((line) => /^\d+ errors?, \d+ warnings? across/.test(line));
  if (summary && findings.length === 0) findings.push(summary);
  return findings;
}

/** Each check: the Inspector CLI arguments, and what its output must show (a one-line summary). */
const checks = [
  {
    args: ['--method', 'tools/list', '--strict'],
    verify: (out, stderr) => {
      const names = out.tools.map((tool) => tool.name);
      const findings = schemaFindings(stderr);
      const ok = ['list_tools', 'read_file', 'query', 'search'].every((name) => names.includes(name)) && findings.length === 0;
      const details = findings.map((finding) => `\n  ${finding}`).join('');
      return [ok, `${names.length} tools (${names.slice(0, 4).join(', ')}, …), ${findings.length} schema portability findings${details}`];
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-inspector-check-'));
  const env = { DATA_DIR: path.join(dir, 'data'), WORKSPACE_DIR: path.join(dir, 'workspace'), MCP_API_KEYS: '', AUTH_MODE: 'api_key' };
  const server = await startLocalServer(env);
  let ok = true;
  try {
    for (const check of checks) {
      const command = `npm run inspector -- --cli ${check.args.join(' ')}`;
      try {
        const { stdout, stderr } = await promisify(execFile)('npm', ['run', '--silent', 'inspector', '--', '--cli', ...check.args], {
          env: { ...process.env, ...env, PORT: String(server.port), HOST: '127.0.0.1', PUBLIC_URL: '' },
          encoding: 'utf8',
          timeout: 300_000,
        });
        const [passed, summary] = check.verify(JSON.parse(stdout), stderr);
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
}

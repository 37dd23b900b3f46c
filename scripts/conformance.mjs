// `npm run conformance`: starts the server (no-auth, loopback, temp dirs) and runs the official MCP
// conformance scenarios that apply to it. Scenarios that need fixture tools we do not ship
// (test_image_content, prompts, resources, elicitation…) are out of scope; see README.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const STABLE = '@modelcontextprotocol/conformance@0.1.16';
const MODERN = '@modelcontextprotocol/conformance@0.2.0-alpha.12';
const RUNS = [
  [STABLE, 'server-initialize'],
  [STABLE, 'ping'],
  [STABLE, 'tools-list'],
  [STABLE, 'dns-rebinding-protection'],
  [STABLE, 'logging-set-level'],
  [MODERN, 'tools-list'],
  [MODERN, 'http-header-validation'],
  [MODERN, 'server-stateless'],
  [MODERN, 'dns-rebinding-protection'],
];
// Checks that need diagnostic fixture tools (test_missing_capability, test_streaming_elicitation,
// test_logging_tool) which a production server does not expose; the suite reports them "not testable".
const NOT_TESTABLE = new Set([
  'sep-2575-server-rejects-undeclared-capability',
  'sep-2575-missing-capability-http-400',
  'sep-2575-http-server-no-independent-requests-on-stream',
  'sep-2575-server-no-log-without-loglevel',
]);

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

execFileSync('node', ['scripts/build-if-needed.mjs'], { stdio: 'inherit' });
const port = await freePort();
const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-conformance-'));
const server = spawn(process.execPath, ['dist/index.js'], {
  env: {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    AUTH_MODE: 'none',
    DATA_DIR: path.join(dir, 'data'),
    WORKSPACE_DIR: path.join(dir, 'ws'),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '0',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (chunk) => {
    out += chunk;
    if (out.includes('listening on')) resolve();
  });
  server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
});

const url = `http://localhost:${port}/mcp`;
let failed = 0;
for (const [pkg, scenario] of RUNS) {
  let output = '';
  try {
    output = execFileSync('npx', ['-y', '-p', 'node@22', '-p', pkg, 'conformance', 'server', '--url', url, '--scenario', scenario], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 180_000,
    });
  } catch (error) {
    output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
  }
  const failures = [...output.matchAll(/\[([a-z0-9-]+)\s*\][^\n]*FAILURE/g)].map((m) => m[1]).filter((id) => !NOT_TESTABLE.has(id));
  const passed = /Passed: (\d+)\/(\d+)/.exec(output);
  const ok = passed !== null && failures.length === 0;
  if (!ok) failed++;
  console.log(
    `${ok ? 'PASS' : 'FAIL'}  ${scenario} (${pkg.split('@').pop()})${passed ? `  ${passed[0]}` : ''}${failures.length ? `  failing: ${failures.join(', ')}` : ''}`,
  );
}
server.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
console.log(`${RUNS.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

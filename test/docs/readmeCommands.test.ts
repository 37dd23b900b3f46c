import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WELCOME_TEXT } from '../../src/tools/fileSystem/welcome.js';
import { startServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const README = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');

interface Block {
  line: number;
  text: string;
}

/**
 * The README's shell blocks that talk to the local server only: they start with `KEY=` or `curl`
 * and name http://127.0.0.1:3000 or localhost:3000 (tunnel, Docker and npm blocks are left out).
 */
function localCurlBlocks(readme: string): Block[] {
  return [...readme.matchAll(/^```sh\n([\s\S]*?)^```/gm)]
    .map((m) => ({ line: readme.slice(0, m.index).split('\n').length + 1, text: m[1]! }))
    .filter((b) => /(127\.0\.0\.1|localhost):3000\/mcp/.test(b.text))
    .filter((b) => /^(KEY=|curl )/.test(b.text.split('\n').find((l) => l.trim() && !l.startsWith('#')) ?? ''));
}

const tools = ['bash', 'curl', 'jq'].filter((tool) => spawnSync(tool, ['--version']).status !== 0);
const describeWithTools =
  tools.length === 0 || process.env.CI === 'true'
    ? describe
    : (name: string, body: () => void) => describe.skip(`${name} — skipped: ${tools.join(', ')} not installed`, body);

describeWithTools("the README's curl commands, as written, against a fresh install", () => {
  let server: TestServer;
  let cwd: string;
  beforeAll(async () => {
    // No MCP_API_KEYS and no workspace yet: the first start generates data/api-key and the workspace.
    server = await startServer({ env: { MCP_API_KEYS: '' }, freshWorkspace: true });
    cwd = path.dirname(server.dataDir);
  });
  afterAll(() => server?.close());

  /** Runs one block with bash in the server's folder, the README's port replaced by the test server's. */
  async function runBlock(block: Block): Promise<string> {
    const port = new URL(server.url).port;
    // KEY as the quick start sets it for the whole session; each reply on a line of its own (curl
    // prints none after the body), so replies can be told apart.
    const script = `set -euo pipefail\nKEY=$(cat data/api-key)\ncurl() { command curl "$@"; echo; }\n${block.text.replace(/(127\.0\.0\.1|localhost):3000\b/g, `$1:${port}`)}`;
    const { stdout } = await run('bash', ['-c', script], { cwd, encoding: 'utf8', timeout: 60_000 });
    return stdout;
  }

  const blocks = localCurlBlocks(README);

  it('finds the quick start, the dialect, tool and client examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  it('quick start: tools/list pipes into jq, and the first envelope call reads the welcome file', async () => {
    const out = await runBlock(blocks[0]!);
    const lines = out.split('\n');
    expect(lines).toContain('read_file');
    expect(lines).toContain('list_tools');
    expect(out).toContain(WELCOME_TEXT.trim());
  });

  it.each(blocks.slice(1).map((b) => [b.line, b] as const))('the block at README.md line %i succeeds', async (_line, block) => {
    const out = await runBlock(block);
    expect(out.trim()).not.toBe('');
    // Every reply is a success in its dialect: no JSON-RPC error, no failed tool result, no error envelope.
    for (const text of out.split('\n').filter((l) => l.trim())) {
      const reply = JSON.parse(text);
      expect(reply.error, text).toBeUndefined();
      expect(reply.result?.isError, text).not.toBe(true);
      expect(reply.message_type ?? 'response', text).toBe('response');
    }
  });
});

/** A Python that can `import mcp`: MCP_TEST_PYTHON, else python3. */
const python = process.env.MCP_TEST_PYTHON ?? 'python3';
const pythonHasMcp = spawnSync(python, ['-c', 'import mcp, httpx2']).status === 0;
const describeWithPythonMcp = pythonHasMcp
  ? describe
  : (name: string, body: () => void) => describe.skip(`${name} — skipped: ${python} cannot import mcp (set MCP_TEST_PYTHON)`, body);

describeWithPythonMcp("the README's Python recipe (mcp 2.x), as written, against a fresh install", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { MCP_API_KEYS: '' }, freshWorkspace: true });
  });
  afterAll(() => server?.close());

  it('lists the tools and reads the welcome file with the generated key', async () => {
    const block = /^### Python \(the `mcp` SDK\)[\s\S]*?^```python\n([\s\S]*?)^```/m.exec(README)?.[1];
    expect(block).toBeDefined();
    const cwd = path.dirname(server.dataDir);
    writeFileSync(path.join(cwd, 'client.py'), block!);
    const { stdout } = await run(python, ['client.py'], {
      cwd,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, MCP_URL: server.mcpUrl, MCP_KEY: '' },
    });
    expect(stdout).toContain("'read_file'");
    expect(stdout).toContain(WELCOME_TEXT.trim());
  });
});

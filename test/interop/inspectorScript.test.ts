import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { INSPECTOR, inspectorArgs, npxArgs, serverKey, serverUrl } from '../../scripts/inspector.mjs';

// The whole script against a real server (`npm run inspector -- --cli --method tools/list`) runs in
// CI as scripts/check-inspector.mjs: it downloads the Inspector, which a unit test should not.

const cwd = mkdtempSync(path.join(os.tmpdir(), 'inspector-script-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));
const GENERATED = 'mcp_generated-key-0123456789';
mkdirSync(path.join(cwd, 'data'));
writeFileSync(path.join(cwd, 'data', 'api-key'), `${GENERATED}\n`);

describe('npm run inspector: where and with which key', () => {
  it.each([
    [{}, 'http://127.0.0.1:3000/mcp'],
    [{ PORT: '4100' }, 'http://127.0.0.1:4100/mcp'],
    [{ HOST: '0.0.0.0', PORT: '4100' }, 'http://127.0.0.1:4100/mcp'],
    [{ HOST: '::1' }, 'http://[::1]:3000/mcp'],
    [{ PUBLIC_URL: 'https://mcp.example.com/' }, 'https://mcp.example.com/mcp'],
    [{ PUBLIC_URL: '  ', PORT: '' }, 'http://127.0.0.1:3000/mcp'],
  ])('%j → %s', (env, url) => {
    expect(serverUrl(env)).toBe(url);
  });

  it('refuses PORT=0, whose port nobody knows in advance', () => {
    expect(() => serverUrl({ PORT: '0' })).toThrow(/--server-url/);
  });

  it('sends the first MCP_API_KEYS key, else the generated key in DATA_DIR', () => {
    expect(serverKey({ MCP_API_KEYS: 'ci:first-key-123:read+write, other:second-key-456:read' }, cwd)).toBe('first-key-123');
    expect(serverKey({}, cwd)).toBe(GENERATED);
    expect(serverKey({ DATA_DIR: path.join(cwd, 'data') }, '/')).toBe(GENERATED);
  });

  it('sends no key without auth or with OAuth (the Inspector signs in itself)', () => {
    expect(serverKey({ AUTH_MODE: 'none', MCP_API_KEYS: 'ci:first-key-123:read' }, cwd)).toBeUndefined();
    expect(serverKey({ AUTH_MODE: 'oauth' }, cwd)).toBeUndefined();
    expect(serverKey({ AUTH_MODE: 'both', DATA_DIR: 'nowhere' }, cwd)).toBeUndefined();
  });

  it('says how to get a key when there is none yet', () => {
    expect(() => serverKey({ DATA_DIR: 'nowhere' }, cwd)).toThrow(/set MCP_API_KEYS, or start the server once \(npm start\)/);
  });
});

describe('npm run inspector: the command it runs', () => {
  it('opens the web UI by default, with the mode first as the Inspector requires', () => {
    expect(inspectorArgs([], {}, cwd)).toEqual([
      '--web',
      '--transport',
      'http',
      '--server-url',
      'http://127.0.0.1:3000/mcp',
      '--header',
      `Authorization: Bearer ${GENERATED}`,
    ]);
  });

  it('passes the CLI options after its own', () => {
    const args = inspectorArgs(['--cli', '--method', 'tools/call', '--tool-name', 'read_file', '--tool-arg', 'path=welcome.md'], {}, cwd);
    expect(args.slice(0, 5)).toEqual(['--cli', '--transport', 'http', '--server-url', 'http://127.0.0.1:3000/mcp']);
    expect(args.slice(-6)).toEqual(['--method', 'tools/call', '--tool-name', 'read_file', '--tool-arg', 'path=welcome.md']);
  });

  it('leaves the URL and the header to the caller who gives them', () => {
    const args = inspectorArgs(['--cli', '--server-url', 'http://10.0.0.5:3000/mcp', '--header', 'Authorization: Bearer x'], {}, cwd);
    expect(args).toEqual(['--cli', '--server-url', 'http://10.0.0.5:3000/mcp', '--header', 'Authorization: Bearer x']);
  });

  it('runs the pinned Inspector 2.x on this Node when it is new enough, else on node@24', () => {
    expect(INSPECTOR).toMatch(/^@modelcontextprotocol\/inspector@2\.\d+\.\d+$/);
    expect(npxArgs(['--cli'], '20.20.2')).toEqual(['-y', '-p', 'node@24', '-p', INSPECTOR, 'mcp-inspector', '--cli']);
    expect(npxArgs(['--cli'], '22.18.0')).toContain('node@24');
    expect(npxArgs(['--cli'], '22.19.0')).toEqual(['-y', '-p', INSPECTOR, 'mcp-inspector', '--cli']);
    expect(npxArgs(['--cli'], '24.1.0')).not.toContain('node@24');
  });
});

describe('scripts/check-inspector.mjs: reading the --strict report', () => {
  // The Inspector 2.12 report format (stderr): one block per finding, then a summary line; nothing at all when clean.
  const report = [
    'Warning: tool "query"',
    '  Path: inputSchema.properties.params.items',
    '  Issue: `type` is an array (["string","number","boolean","null"]). This is legal JSON Schema, …',
    '  Suggestion: Split it into `anyOf` branches, …',
    '',
    'Error: tool "session_set_state"',
    '  Path: inputSchema.properties.value',
    '  Issue: Bare `true` used where a schema object is expected.',
    '',
    '1 error, 1 warning across 2 tools.',
  ].join('\n');

  it('counts every warning and error, with the tool and the path', async () => {
    // @ts-expect-error plain ESM script without type declarations
    const { schemaFindings } = await import('../../scripts/check-inspector.mjs');
    expect(schemaFindings(report)).toEqual([
      'Warning query Path: inputSchema.properties.params.items',
      'Error session_set_state Path: inputSchema.properties.value',
    ]);
    expect(schemaFindings('npm warn EBADENGINE Unsupported engine {\n')).toEqual([]);
    expect(schemaFindings('0 errors, 3 warnings across 2 tools.')).toEqual(['0 errors, 3 warnings across 2 tools.']);
  });
});

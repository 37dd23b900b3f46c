// `npm run inspector`: the MCP Inspector, pointed at the local server with the local key.
//   npm run inspector                                  # web UI (http://localhost:6274)
//   npm run inspector -- --cli --method tools/list     # CLI; any Inspector CLI option may follow
//   npm run inspector -- --tui
// The Inspector 2.x needs Node >= 22.19: on an older Node it runs on the npm package node@24 (the
// current LTS), fetched by npx like the Inspector itself. The server's URL and key come from the
// same environment / .env the server reads: PUBLIC_URL, else HOST and PORT; the first MCP_API_KEYS
// entry, else the generated DATA_DIR/api-key (AUTH_MODE=none sends no key; AUTH_MODE=oauth leaves
// sign-in to the Inspector). Pass --server-url or --header yourself to override them.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';

export const INSPECTOR = '@modelcontextprotocol/inspector@2.12.0';
const MIN_NODE = [22, 19];

const MODES = new Set(['--web', '--cli', '--tui']);
const value = (env, name) => (env[name] ?? '').trim() || undefined;

/** The local server's MCP URL, as the server itself would compute it from the environment. */
export function serverUrl(env) {
  const publicUrl = value(env, 'PUBLIC_URL');
  if (publicUrl) return `${publicUrl.replace(/\/+$/, '')}/mcp`;
  const port = value(env, 'PORT') ?? '3000';
  if (port === '0') throw new Error('PORT=0 picks a free port at each start; set PORT, or pass --server-url <the URL the server printed>');
  let host = value(env, 'HOST') ?? '127.0.0.1';
  // A server bound to every interface is reached on loopback from this machine.
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/mcp`;
}

/** The key the Inspector sends, or undefined when it should send none (no auth, or OAuth sign-in). */
export function serverKey(env, cwd) {
  const mode = value(env, 'AUTH_MODE') ?? 'api_key';
  if (mode === 'none' || mode === 'oauth') return undefined;
  const configured = value(env, 'MCP_API_KEYS');
  if (configured) {
    const [, key] = configured.split(',')[0].trim().split(':');
    if (key) return key;
  }
  const file = path.join(path.resolve(cwd, value(env, 'DATA_DIR') ?? './data'), 'api-key');
  if (mode === 'both' && !existsSync(file)) return undefined;
  if (!existsSync(file))
    throw new Error(`no API key: set MCP_API_KEYS, or start the server once (npm start) so it generates ${path.relative(cwd, file)}`);
  return readFileSync(file, 'utf8').trim();
}

/** The Inspector's arguments: its mode first (it requires that), then ours, then the caller's. */
export function inspectorArgs(argv, env, cwd) {
  const mode = MODES.has(argv[0]) ? argv[0] : '--web';
  const rest = MODES.has(argv[0]) ? argv.slice(1) : argv;
  const ours = [];
  if (!rest.includes('--server-url')) ours.push('--transport', 'http', '--server-url', serverUrl(env));
  if (!rest.includes('--header')) {
    const key = serverKey(env, cwd);
    // The key shows in this machine's process list, as with the README's curl commands.
    if (key) ours.push('--header', `Authorization: Bearer ${key}`);
  }
  return [mode, ...ours, ...rest];
}

/** npx's arguments: the Inspector on this Node when it is new enough, else on node@24. */
export function npxArgs(args, nodeVersion = process.versions.node) {
  const [major, minor] = nodeVersion.split('.').map(Number);
  const supported = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return ['-y', ...(supported ? [] : ['-p', 'node@24']), '-p', INSPECTOR, 'mcp-inspector', ...args];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = { ...dotenv.config({ quiet: true, processEnv: {} }).parsed, ...process.env };
  let args;
  try {
    args = inspectorArgs(process.argv.slice(2), env, process.cwd());
  } catch (error) {
    console.error(`npm run inspector: ${error.message}`);
    process.exit(1);
  }
  // Quiet npx's install chatter (engine warnings from the npm that runs on an older Node); errors still show.
  const child = spawn('npx', npxArgs(args), { stdio: 'inherit', env: { ...process.env, npm_config_loglevel: 'error' } });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

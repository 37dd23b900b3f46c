import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../infra/helpers/services.js';

export interface ServerProcess {
  url: string;
  mcpUrl: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts `src/index.ts` as a real child process on a free loopback port; resolves once it listens.
 * `publicUrl`: PUBLIC_URL is that address (the built-in authorization server's issuer).
 */
export async function spawnServer(env: Record<string, string>, options: { publicUrl?: boolean } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-proc-'));
  const fullEnv = {
    ...process.env,
    DATA_DIR: path.join(root, 'data'),
    WORKSPACE_DIR: path.join(root, 'workspace'),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '0',
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    ...(options.publicUrl ? { PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
  };
  mkdirSync(fullEnv.WORKSPACE_DIR, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${out}`)), 30_000);
    const check = () => {
      if (out.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return { url, mcpUrl: `${url}/mcp`, child, output: () => out, exited };
}

// Starts the built server (dist/index.js) as a child process on a free loopback port, for the
// scripts that drive it with outside tools (conformance suite, Inspector check).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once the server printed its banner; `stop()` sends SIGTERM and waits for the exit. */
export async function startLocalServer(env) {
  const port = await freePort();
  const server = spawn(process.execPath, ['dist/index.js'], {
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => server.once('exit', resolve));
  await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('listening on')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    port,
    url: `http://127.0.0.1:${port}/mcp`,
    stop: async () => {
      server.kill('SIGTERM');
      await exited;
    },
  };
}

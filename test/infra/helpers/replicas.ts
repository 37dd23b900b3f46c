import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SERVER_ENTRY = path.join(ROOT, 'src/index.ts');
export const NOTES_ENTRY = path.join(ROOT, 'test/infra/helpers/replicaWithNotes.ts');

export interface LogLine {
  message?: string;
  level?: string;
  [key: string]: unknown;
}

/** A server process: its own Node, its own in-process cache and limiter, talking to shared Redis. */
export interface Replica {
  name: string;
  port: number;
  mcpUrl: string;
  logs: () => LogLine[];
  count: (message: string) => number;
  waitForLog: (message: string, occurrences?: number, timeoutMs?: number) => Promise<void>;
  /** Ends the process with this signal and waits for it to be gone. */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
}

/**
 * Starts the server with PORT=0 and learns the port from the "listening" log line, so two
 * replicas never race for a port. `node --import tsx` rather than the tsx CLI: the CLI runs the
 * server in a child process, which a SIGKILL to the CLI would leave running.
 */
export async function startReplica(name: string, env: Record<string, string>, entry = SERVER_ENTRY): Promise<Replica> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  let stderr = '';
  let buffer = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    // A backstop only: a replica that fails exits and is reported at once (below). Four replicas
    // compiling TypeScript at once on a loaded 2-core machine have needed more than 30 s.
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 90 s: ${stderr.slice(-2000)}`)), 90_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (!text.startsWith('{')) continue;
        try {
          const line = JSON.parse(text) as LogLine;
          lines.push(line);
          if (line.message === 'listening' && typeof line.port === 'number') {
            clearTimeout(timer);
            resolve(line.port);
          }
        } catch {
          // Banner and other plain text.
        }
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before listening: ${stderr.slice(-2000)}`));
    });
  });
  const count = (message: string) => lines.filter((l) => l.message === message).length;
  return {
    name,
    port,
    mcpUrl: `http://127.0.0.1:${port}/mcp`,
    logs: () => [...lines],
    count,
    waitForLog: async (message, occurrences = 1, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (count(message) < occurrences) {
        if (Date.now() > deadline)
          throw new Error(`${name} did not log "${message}" ${occurrences}×; saw: ${lines.map((l) => l.message).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

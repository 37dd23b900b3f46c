import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { trackChild } from './cleanup.js';
import { readMemory, type MemorySample } from './memory.js';

/** Our banner and the baselines both print this line once they listen. */
const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)\/mcp/;
const KEPT_LINES = 400;

export interface ChildServer {
  name: string;
  pid: number;
  port: number;
  mcpUrl: string;
  /** Milliseconds from spawn to the "listening" line. */
  listenMs: number;
  /** The last lines the process wrote (stdout and stderr). */
  lines: () => string[];
  /** Called for every later output line (e.g. to catch a log event). */
  onLine: (listener: (line: string) => void) => void;
  memory: () => MemorySample | undefined;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
  stop: (graceMs?: number) => Promise<void>;
}

export interface SpawnOptions {
  env: Record<string, string>;
  cwd: string;
  readyTimeoutMs?: number;
}

/** Starts `node <args>` and resolves once it prints the port it listens on. */
export function startChild(name: string, args: string[], options: SpawnOptions): Promise<ChildServer> {
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const kept: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return new Promise<ChildServer>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      reject(new Error(`${name}: ${why}\n  last output:\n    ${kept.slice(-15).join('\n    ')}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${options.readyTimeoutMs ?? 60_000} ms`), options.readyTimeoutMs ?? 60_000);
    child.once('exit', (code, signal) => fail(`exited before listening (code ${code}, signal ${signal})`));
    child.once('error', (error) => fail(error.message));

    const onLine = (line: string) => {
      kept.push(line);
      if (kept.length > KEPT_LINES) kept.shift();
      for (const listener of listeners) listener(line);
      if (settled) return;
      const match = LISTENING.exec(line);
      if (!match) return;
      settled = true;
      clearTimeout(timer);
      const port = Number(match[1]);
      resolve({
        name,
        pid: child.pid!,
        port,
        mcpUrl: `http://127.0.0.1:${port}/mcp`,
        listenMs: performance.now() - started,
        lines: () => [...kept],
        onLine: (listener) => listeners.push(listener),
        memory: () => readMemory(child.pid!),
        stop: async (graceMs = 8_000) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(killer);
        },
      });
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
  });
}

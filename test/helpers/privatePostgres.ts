import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { freePort } from '../infra/helpers/services.js';
import os from 'node:os';
import path from 'node:path';

/**
 * A throwaway PostgreSQL cluster of our own (initdb in a temp dir, own port), so fault tests can
 * stop and restart it without touching the machine's shared server. Runs as the `postgres` user
 * when we are root, since PostgreSQL refuses to run as root.
 */
export interface PrivatePostgres {
  url: string;
  stop: () => void;
  start: () => void;
  restart: () => void;
  destroy: () => void;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort();
  const latest = versions[versions.length - 1];
  return latest ? path.join(root, latest, 'bin') : undefined;
}

/** Returns undefined (with the reason) when this machine cannot run a private cluster. */
export async function startPrivatePostgres(): Promise<PrivatePostgres | string> {
  const bin = binDir();
  if (!bin) return 'PostgreSQL server binaries are not installed';
  const isRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-pg-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const run = (cmd: string, args: string[]) => {
    const full = isRoot ? ['-u', 'postgres', '--', path.join(bin, cmd), ...args] : args;
    const result = spawnSync(isRoot ? 'runuser' : path.join(bin, cmd), full, { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr || result.stdout}`);
  };
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return `initdb failed: ${(error as Error).message.slice(0, 200)}`;
  }
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () => run('pg_ctl', ['-D', data, '-o', options, '-w', '-t', '30', '-l', path.join(dir, 'log'), 'start']);
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    restart: () => {
      stop();
      start();
    },
    destroy: () => {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** For tests that need the machine's shared PostgreSQL: reachable? */
export function sharedPostgresReachable(): boolean {
  try {
    execFileSync('bash', ['-c', '(exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null'], { timeout: 2000 });
    return true;
  } catch {
    return false;
  }
}

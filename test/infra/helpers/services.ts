import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { describe } from 'vitest';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Answers PING within the time limit. */
export function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export const redisUp = await redisAnswers(REDIS_URL);
export const redisServerInstalled = spawnSync('redis-server', ['--version']).status === 0;
const inCi = process.env.CI === 'true';

/**
 * `describe` for suites that need the shared Redis: skipped with a one-line reason when it does
 * not answer, except in CI where a missing service must fail the run.
 */
export const describeWithRedis = (name: string, body: () => void) =>
  redisUp || inCi ? describe(name, body) : describe.skip(`${name} — skipped: Redis not reachable at ${REDIS_URL}`, body);

/** Same for suites that start their own redis-server (outage tests). */
export const describeWithRedisServer = (name: string, body: () => void) =>
  redisServerInstalled || inCi ? describe(name, body) : describe.skip(`${name} — skipped: redis-server is not installed`, body);

/** A Redis key prefix no other test run uses. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomUUID().slice(0, 8)}:`;
}

/** A TCP port that was free a moment ago (bind port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Deletes every key under a test prefix (test runs share the machine's Redis). */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } catch {
    // Nothing to clean when Redis is gone.
  } finally {
    client.disconnect();
  }
}

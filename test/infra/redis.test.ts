import { afterAll, beforeAll, expect, it } from 'vitest';
import { acquireRedis, bounded, reconnectDelay, type RedisHandle } from '../../src/infra/redis.js';
import { captureLogger } from './helpers/captureLogger.js';
import { privateRedis, type PrivateRedis } from './helpers/privateRedis.js';
import { describeWithRedisServer, freePort } from './helpers/services.js';

const settings = (url: string) => ({ redisUrl: new URL(url), redisPrefix: 'test:', redisTimeoutMs: 300 });

it('keeps reconnecting forever, backing off to one attempt every 2 s', () => {
  expect(reconnectDelay(1)).toBeLessThan(reconnectDelay(3));
  expect(reconnectDelay(10_000)).toBe(2000);
});

it('bounds any Redis work by the time limit', async () => {
  const never = new Promise<never>(() => {});
  const started = performance.now();
  await expect(bounded(never, 50)).rejects.toThrow(/did not answer within 50 ms/);
  expect(performance.now() - started).toBeLessThan(1000);
});

it('answers "not ready" within the time limit when Redis was never there', async () => {
  const port = await freePort();
  const log = captureLogger();
  const redis = acquireRedis(settings(`redis://127.0.0.1:${port}`), log.logger);
  const started = performance.now();
  expect(await redis.ready()).toBe(false);
  expect(performance.now() - started).toBeLessThan(1500);
  await log.waitFor('redis down');
  await redis.release();
});

it('does not log the password in the Redis URL', async () => {
  const port = await freePort();
  const log = captureLogger();
  const lines: string[] = [];
  log.logger.on('data', (info) => lines.push(JSON.stringify(info)));
  const redis = acquireRedis(settings(`redis://user:s3cret-pass@127.0.0.1:${port}`), log.logger);
  await redis.ready();
  await log.waitFor('redis down');
  await redis.release();
  expect(lines.join('\n')).not.toContain('s3cret-pass');
});

describeWithRedisServer('redis connection across an outage', () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await privateRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('logs "redis down" once and "redis back" once, shares one connection, and bumps the epoch', async () => {
    const log = captureLogger();
    const a: RedisHandle = acquireRedis(settings(server.url), log.logger);
    const b: RedisHandle = acquireRedis(settings(server.url), log.logger);
    expect(a.client).toBe(b.client);
    expect(await a.ready()).toBe(true);
    const epoch = a.epoch();
    let reconnects = 0;
    a.onReady(() => reconnects++);

    await server.stop();
    await log.waitFor('redis down');
    expect(a.isReady()).toBe(false);
    // Commands during the outage fail at once rather than queueing.
    const started = performance.now();
    await expect(a.client.get('x')).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(300);

    await server.start();
    await log.waitFor('redis back');
    expect(a.isReady()).toBe(true);
    expect(a.epoch()).toBe(epoch + 1);
    expect(reconnects).toBe(1);
    expect(log.count('redis down')).toBe(1);
    expect(log.count('redis back')).toBe(1);

    await a.release();
    expect(b.isReady()).toBe(true);
    await b.release();
    expect(log.count('redis down')).toBe(1);
  });
});

import express from 'express';
import { Redis } from 'ioredis';
import { connect, createServer, type AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import type { ToolFactory } from '../../src/core/toolModule.js';
import { healthRoutes, pingReadiness, type ReadinessCheck } from '../../src/http/health.js';
import { createSilentLogger } from '../../src/infra/logger.js';
import { TEST_KEYS } from '../helpers/server.js';

const SECRET = 'postgres://admin:hunter2@db.internal:5432/prod';

/** A tool with a readiness probe the test controls. */
function probeTool(name: string, ready: () => Promise<void>): ToolFactory {
  return () => ({ name, operations: [], ready });
}

const apps: App[] = [];
async function buildApp(options: { toolFactories?: ToolFactory[]; readinessChecks?: ReadinessCheck[] } = {}): Promise<App> {
  const config = loadConfig({ MCP_API_KEYS: TEST_KEYS, DATA_DIR: '/tmp/mcp-health-data', WORKSPACE_DIR: '/tmp/mcp-health-ws' }, '/tmp');
  const built = await createApp({
    config,
    logger: createSilentLogger(),
    toolFactories: options.toolFactories ?? [],
    readinessChecks: options.readinessChecks,
  });
  apps.push(built);
  return built;
}
afterAll(async () => {
  for (const built of apps) await built.close();
});

describe('/healthz', () => {
  it('answers 200 without credentials', async () => {
    const built = await buildApp();
    const response = await request(built.app).get('/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
    expect(response.headers['cache-control']).toBe('no-store');
  });
});

describe('/readyz', () => {
  it('is ready when every tool probe and extra check passes, without credentials', async () => {
    const built = await buildApp({
      toolFactories: [probeTool('database', async () => {})],
      readinessChecks: [{ name: 'redis', check: async () => {} }],
    });
    const response = await request(built.app).get('/readyz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
  });

  // Security: an unauthenticated probe names the failed dependency and nothing else — no URL,
  // credentials, host or error text.
  it('answers 503 naming the dependency that failed, without its error text', async () => {
    const built = await buildApp({
      toolFactories: [
        probeTool('database', async () => {
          throw new Error(`connect ECONNREFUSED ${SECRET}`);
        }),
        probeTool('web_search', async () => {}),
      ],
      readinessChecks: [{ name: 'redis', check: async () => Promise.reject(new Error('NOAUTH at redis://:pw@cache:6379')) }],
    });
    const response = await request(built.app).get('/readyz');
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      status: 'unavailable',
      checks: { database: 'failed', web_search: 'ok', redis: 'failed' },
      failed: ['database', 'redis'],
    });
    expect(response.text).not.toContain('hunter2');
    expect(response.text).not.toContain('ECONNREFUSED');
    expect(response.text).not.toContain('cache:6379');
  });

  it('counts a check that hangs past the time limit as failed', async () => {
    const app = express().use(healthRoutes(() => [{ name: 'index', check: () => new Promise<void>(() => {}) }], { timeoutMs: 50 }));
    const response = await request(app).get('/readyz');
    expect(response.status).toBe(503);
    expect(response.body.failed).toEqual(['index']);
  });

  // Security: /readyz needs no credentials, so a burst of probes must not become a burst of
  // dependency round trips.
  it('runs one set of checks for concurrent probes and reuses a fresh result', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const check = async () => {
      calls++;
      await gate;
    };
    let arrived = 0;
    let allArrived!: () => void;
    const everyoneIn = new Promise<void>((resolve) => (allArrived = resolve));
    const app = express()
      .use((_req, _res, next) => {
        if (++arrived === 20) allArrived();
        next();
      })
      .use(healthRoutes(() => [{ name: 'database', check }], { reuseMs: 60_000 }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`;
      const probes = Array.from({ length: 20 }, () => fetch(url));
      await everyoneIn;
      release();
      const responses = await Promise.all(probes);
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect((await fetch(url)).status).toBe(200);
      expect(calls).toBe(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('probes again once the previous result is older than reuseMs', async () => {
    let calls = 0;
    const app = express().use(healthRoutes(() => [{ name: 'database', check: async () => void calls++ }], { reuseMs: 0 }));
    await request(app).get('/readyz');
    await request(app).get('/readyz');
    expect(calls).toBe(2);
  });
});

function redisReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 6379 });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const hasRedis = await redisReachable();
if (!hasRedis && process.env.CI === 'true') throw new Error('Redis at 127.0.0.1:6379 is required in CI');

describe.skipIf(!hasRedis)('/readyz with Redis (skipped: no Redis at 127.0.0.1:6379)', () => {
  it('reports Redis ready when it answers PING, and failed when it does not', async () => {
    const up = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
    const down = new Redis({
      host: '127.0.0.1',
      port: await closedPort(),
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    down.on('error', () => {});
    try {
      const healthy = await buildApp({ readinessChecks: [pingReadiness('redis', () => up.ping())] });
      const ok = await request(healthy.app).get('/readyz');
      expect(ok.status).toBe(200);
      expect(ok.body.checks).toEqual({ redis: 'ok' });

      const broken = await buildApp({ readinessChecks: [pingReadiness('redis', () => down.ping())] });
      const failed = await request(broken.app).get('/readyz');
      expect(failed.status).toBe(503);
      expect(failed.body).toEqual({ status: 'unavailable', checks: { redis: 'failed' }, failed: ['redis'] });
    } finally {
      up.disconnect();
      down.disconnect();
    }
  });
});

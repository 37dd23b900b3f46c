import type { Router } from 'express';
import express from 'express';
import type { ToolModule } from '../core/toolModule.js';

export interface ReadinessCheck {
  /** Shown in the /readyz body: a dependency name (`redis`, `database`), never a URL or host. */
  name: string;
  /** Resolves when the dependency answers; throws (or hangs past the time limit) when it does not. */
  check: () => Promise<void>;
}

export interface HealthOptions {
  /** Per-check time limit; a check that takes longer counts as failed. */
  timeoutMs?: number;
  /** Answers within this time reuse the previous result instead of probing again. */
  reuseMs?: number;
}

interface Readiness {
  status: number;
  body: Record<string, unknown>;
}

/**
 * /healthz: the process answers. /readyz: every configured dependency answers (503 naming the one
 * that failed). Neither needs auth; neither shows configuration or error text.
 */
export function healthRoutes(checks: () => ReadinessCheck[], options: HealthOptions = {}): Router {
  const timeoutMs = options.timeoutMs ?? 2000;
  const reuseMs = options.reuseMs ?? 1000;
  let running: Promise<Readiness> | undefined;
  let last: { at: number; result: Readiness } | undefined;

  // Security: /readyz is unauthenticated, so a flood of probes must not become a flood of
  // database and Redis round trips: concurrent probes share one run, and a fresh result is reused.
  const readiness = (): Promise<Readiness> => {
    if (last && performance.now() - last.at < reuseMs) return Promise.resolve(last.result);
    running ??= runChecks(checks(), timeoutMs)
      .then((result) => {
        last = { at: performance.now(), result };
        return result;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const { status, body } = await readiness();
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).json(body);
  });
  return router;
}

async function runChecks(checks: ReadinessCheck[], timeoutMs: number): Promise<Readiness> {
  const results = await Promise.all(checks.map(async ({ name, check }) => ({ name, ok: await passes(check, timeoutMs) })));
  const failed = results.filter((r) => !r.ok).map((r) => r.name);
  return {
    status: failed.length ? 503 : 200,
    body: {
      status: failed.length ? 'unavailable' : 'ready',
      checks: Object.fromEntries(results.map((r) => [r.name, r.ok ? 'ok' : 'failed'])),
      ...(failed.length ? { failed } : {}),
    },
  };
}

async function passes(check: () => Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    // The error text may hold a host, user or path: the probe says only which dependency failed.
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** One check per tool that declares ready() (database, web_search's index, …). */
export function moduleReadiness(modules: ToolModule[]): ReadinessCheck[] {
  return modules.filter((m) => m.ready).map((m) => ({ name: m.name, check: () => m.ready!() }));
}

/** A check that pings a client, e.g. `pingReadiness('redis', () => redis.ping())`. */
export function pingReadiness(name: string, ping: () => Promise<unknown>): ReadinessCheck {
  return {
    name,
    check: async () => {
      await ping();
    },
  };
}

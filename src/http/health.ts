import type { Router } from 'express';
import express from 'express';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

/**
 * /healthz: the process answers. /readyz: every configured dependency answers (503 naming the one
 * that failed). Neither needs auth; neither shows configuration.
 */
export function healthRoutes(checks: () => ReadinessCheck[], timeoutMs = 2000): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      checks().map(async ({ name, check }) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
            }),
          ]);
          return { name, ok: true };
        } catch {
          return { name, ok: false };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const failed = results.filter((r) => !r.ok).map((r) => r.name);
    res.status(failed.length ? 503 : 200).json({
      status: failed.length ? 'unavailable' : 'ready',
      checks: Object.fromEntries(results.map((r) => [r.name, r.ok ? 'ok' : 'failed'])),
      ...(failed.length ? { failed } : {}),
    });
  });
  return router;
}

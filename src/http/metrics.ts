import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type RequestHandler, type Router } from 'express';
import type { Registry } from '../core/registry.js';
import { metricsRegistry, requestFinished, requestStarted, safeCode, startProcessMetrics, type RequestLabels } from '../infra/metrics.js';
import { stateOf, type RequestState } from './requestState.js';

// JSON-RPC methods a client may send; anything else is counted as `other`.
const MCP_METHODS = new Set([
  'initialize',
  'ping',
  'server/discover',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'logging/setLevel',
  'completion/complete',
  'subscriptions/listen',
  'tasks/get',
  'tasks/list',
  'tasks/result',
  'tasks/cancel',
  'tasks/update',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'notifications/elicitation/complete',
]);

/**
 * Counts /mcp requests, their duration and how many are in flight. Labels are derived from the
 * request state but normalised against the registry. Security: the state holds caller-chosen
 * names (an unknown tool, an invented method); those become `unknown`/`other`, never a label.
 */
export function requestMetrics(registry: Registry): RequestHandler {
  return function countRequest(req, res, next) {
    if (req.path !== '/mcp') return next();
    requestStarted();
    const started = performance.now();
    res.once('close', () => {
      const seconds = (performance.now() - started) / 1000;
      requestFinished(requestLabels(stateOf(res), res.statusCode, res.writableFinished, registry), seconds);
    });
    next();
  };
}

export function requestLabels(state: RequestState | undefined, status: number, finished: boolean, registry: Registry): RequestLabels {
  const dialect = state?.dialect === 'mcp' || state?.dialect === 'envelope' ? state.dialect : 'none';
  let tool = 'none';
  let operation = 'none';
  if (state?.tool === 'batch' || (state?.batchSize !== undefined && !state.tool)) {
    tool = 'batch';
    operation = 'batch';
  } else if (state?.tool) {
    const entry = (state.operation && registry.byEnvelope(state.tool, state.operation)) || registry.byMcpName(state.tool);
    tool = entry ? entry.op.tool : 'unknown';
    operation = entry ? entry.op.operation : 'unknown';
  } else if (state?.operation) {
    operation = MCP_METHODS.has(state.operation) ? state.operation : 'other';
  }
  let outcome: string;
  if (!finished) outcome = 'aborted';
  else if (state?.outcome === 'ok' || state?.outcome === 'partial') outcome = state.outcome;
  else if (state?.outcome) outcome = safeCode(state.outcome);
  else outcome = status < 400 ? 'ok' : `http_${Math.trunc(status)}`;
  return { dialect, tool, operation, outcome };
}

export interface MetricsRouteOptions {
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token?: string;
}

/** GET /metrics in the Prometheus text format; process metrics start with the first route. */
export function metricsRoute(options: MetricsRouteOptions = {}): Router {
  startProcessMetrics();
  const expected = options.token ? digest(options.token) : undefined;
  const router = express.Router();
  router.get('/metrics', async (req, res) => {
    if (expected) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
      // Security: compare fixed-length digests in constant time, so response timing reveals
      // nothing about how much of a guessed token was right.
      if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        res.status(401).json({ error: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.' });
        return;
      }
    }
    res.setHeader('Content-Type', metricsRegistry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(await metricsRegistry.metrics());
  });
  return router;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RegisteredOperation } from '../core/registry.js';

/**
 * The process's Prometheus metrics. One registry per process (metrics describe the process, and
 * other modules record into it through the functions below without being handed anything).
 *
 * Every label value here comes from a small fixed set: dialect, registered tool/operation names,
 * error codes. Security: never a path, id, parameter or caller name — those would let any caller
 * grow the series count without bound (and leak who is calling).
 */
export const metricsRegistry = new Registry();

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const requests = new Counter({
  name: 'mcp_requests_total',
  help: 'HTTP requests to /mcp, by dialect, tool, operation and outcome (ok, partial, an error code, http_<status> or aborted).',
  labelNames: ['dialect', 'tool', 'operation', 'outcome'] as const,
  registers: [metricsRegistry],
});
const requestDuration = new Histogram({
  name: 'mcp_request_duration_seconds',
  help: 'Time from receiving a /mcp request to finishing its reply.',
  labelNames: ['dialect', 'tool', 'operation', 'outcome'] as const,
  buckets: DURATION_BUCKETS,
  registers: [metricsRegistry],
});
const inFlight = new Gauge({
  name: 'mcp_requests_in_flight',
  help: 'HTTP requests to /mcp being handled right now.',
  registers: [metricsRegistry],
});
const toolCalls = new Counter({
  name: 'mcp_tool_calls_total',
  help: 'Tool operations executed (each call of a batch counts), by outcome (ok or an error code).',
  labelNames: ['tool', 'operation', 'outcome'] as const,
  registers: [metricsRegistry],
});
const toolCallDuration = new Histogram({
  name: 'mcp_tool_call_duration_seconds',
  help: 'Time one tool operation took, including validation and the result cache.',
  labelNames: ['tool', 'operation', 'outcome'] as const,
  buckets: DURATION_BUCKETS,
  registers: [metricsRegistry],
});
const cacheLookups = new Counter({
  name: 'mcp_cache_lookups_total',
  help: 'Result-cache lookups for cacheable operations, by result (hit or miss).',
  labelNames: ['tool', 'operation', 'result'] as const,
  registers: [metricsRegistry],
});
const rateLimited = new Counter({
  name: 'mcp_rate_limited_total',
  help: 'Requests rejected by a rate limit, by dialect.',
  labelNames: ['dialect'] as const,
  registers: [metricsRegistry],
});
const redisErrors = new Counter({
  name: 'mcp_redis_errors_total',
  help: 'Redis failures (connection or command); the server falls back or degrades on each.',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});
const databaseErrors = new Counter({
  name: 'mcp_database_errors_total',
  help: 'Database failures by backend and kind (connection, or a query the server expected to work).',
  labelNames: ['backend', 'kind'] as const,
  registers: [metricsRegistry],
});

const processRuns = new Counter({
  name: 'mcp_process_runs_total',
  help: 'Commands run by the process tool, by how they ended: ok (exit 0), error (other exit status), signal, timeout, process_limit, cancelled or shutdown.',
  labelNames: ['exit_class'] as const,
  registers: [metricsRegistry],
});

export type ProcessExitClass = 'ok' | 'error' | 'signal' | 'timeout' | 'process_limit' | 'cancelled' | 'shutdown';
const PROCESS_EXIT_CLASSES: ProcessExitClass[] = ['ok', 'error', 'signal', 'timeout', 'process_limit', 'cancelled', 'shutdown'];

/** The process tool: one command finished. */
export function recordProcessRun(exitClass: ProcessExitClass): void {
  processRuns.inc({ exit_class: exitClass });
}

// Error and rejection series exist from the start at 0, so `rate()` and alerts work before the first one.
for (const dialect of ['mcp', 'envelope', 'unknown']) rateLimited.inc({ dialect }, 0);
for (const kind of ['connection', 'command']) redisErrors.inc({ kind }, 0);
for (const exitClass of PROCESS_EXIT_CLASSES) processRuns.inc({ exit_class: exitClass }, 0);
for (const backend of ['sqlite', 'postgres']) for (const kind of ['connection', 'query']) databaseErrors.inc({ backend, kind }, 0);

let processMetricsStarted = false;

/** CPU, memory, event-loop lag, handles, GC: prom-client's default process metrics, once per process. */
export function startProcessMetrics(): void {
  if (processMetricsStarted) return;
  processMetricsStarted = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

export interface RequestLabels {
  dialect: string;
  tool: string;
  operation: string;
  outcome: string;
}

export function requestStarted(): void {
  inFlight.inc();
}

export function requestFinished(labels: RequestLabels, seconds: number): void {
  inFlight.dec();
  requests.inc(labels);
  requestDuration.observe(labels, seconds);
}

// Codes that fail before the cache is consulted: neither a hit nor a miss.
const BEFORE_CACHE = new Set(['FORBIDDEN', 'INVALID_PARAMS']);

/** The executor's onOutcome hook: one tool call finished. */
export function recordToolOutcome(entry: RegisteredOperation, outcome: { ok: boolean; code?: string; cached: boolean; ms: number }): void {
  const { tool, operation } = entry.op;
  const labels = { tool, operation, outcome: outcome.ok ? 'ok' : safeCode(outcome.code) };
  toolCalls.inc(labels);
  toolCallDuration.observe(labels, outcome.ms / 1000);
  if (entry.op.cache && !BEFORE_CACHE.has(outcome.code ?? '')) {
    cacheLookups.inc({ tool, operation, result: outcome.cached ? 'hit' : 'miss' });
  }
}

/** For the rate limiter: one request refused. */
export function recordRateLimited(dialect: string | undefined): void {
  rateLimited.inc({ dialect: dialect === 'mcp' || dialect === 'envelope' ? dialect : 'unknown' });
}

export type RedisErrorKind = 'connection' | 'command';

/** For the Redis client and its users: one failure (connection lost, command failed or timed out). */
export function recordRedisError(kind: RedisErrorKind = 'command'): void {
  redisErrors.inc({ kind });
}

export type DatabaseBackend = 'sqlite' | 'postgres';
export type DatabaseErrorKind = 'connection' | 'query';

/**
 * For the database tool: one backend failure. Count only what an operator should look at
 * (pool/connection errors, unexpected query failures), not a caller's bad SQL.
 */
export function recordDatabaseError(backend: DatabaseBackend, kind: DatabaseErrorKind = 'query'): void {
  databaseErrors.inc({ backend, kind });
}

/** Error codes are ours, but a label must stay a short identifier whatever reaches it. */
export function safeCode(code: string | undefined): string {
  return code && /^[A-Z][A-Z0-9_]{0,39}$/.test(code) ? code : 'OTHER';
}

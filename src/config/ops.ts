import { ConfigError, readInt, readOptionalString, type Env } from './env.js';

/** Operations: the metrics endpoint and process shutdown (issue: operations). */
export interface OpsConfig {
  /** When set, GET /metrics requires `Authorization: Bearer <token>`; unset, it is open. */
  metricsToken?: string;
  /** How long SIGTERM/SIGINT waits for in-flight requests before cutting connections. */
  shutdownTimeoutMs: number;
}

export function parseOpsConfig(env: Env): OpsConfig {
  const metricsToken = readOptionalString(env, 'METRICS_TOKEN');
  // Security: a short scrape token is guessable; require one at least as long as a generated key's half.
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ConfigError('METRICS_TOKEN', 'at least 16 characters (or unset for an open /metrics)');
  }
  return {
    metricsToken,
    shutdownTimeoutMs: readInt(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
  };
}

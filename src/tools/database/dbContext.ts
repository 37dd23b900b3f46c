import type { DatabaseConfig } from '../../config/database.js';
import type { TableAccess } from './access.js';
import type { DatabaseBackend } from './backend.js';

export const TOOL = 'database';

/** What every operation is built from. */
export interface DbContext {
  backend: DatabaseBackend;
  access: TableAccess;
  config: DatabaseConfig;
  /** Per-call limit for operations that run SQL: never shorter than the statement limit. */
  callTimeoutMs: number;
}

export function cachePolicy<P>(ctx: DbContext, tags: () => string[]) {
  return ctx.config.cacheTtlMs > 0 ? { ttlMs: ctx.config.cacheTtlMs, tags: (_: P) => tags() } : undefined;
}

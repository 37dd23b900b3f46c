import pg from 'pg';
import { recordDatabaseError } from '../../../infra/metrics.js';
import type { Logger } from 'winston';

// Dates and times stay the text PostgreSQL sends: converting `timestamp` (no zone) through a JS
// Date would silently shift it by the server's local offset.
const AS_TEXT = new Set([
  1082 /* date */, 1083 /* time */, 1114 /* timestamp */, 1184 /* timestamptz */, 1266 /* timetz */, 1186 /* interval */,
]);
const INT8 = 20;

function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (AS_TEXT.has(oid)) return (value) => value;
  // bigint (count(*), bigserial keys): a number when exact, else the digits as text.
  if (oid === INT8) return (value) => (Number.isSafeInteger(Number(value)) ? Number(value) : value);
  return (pg.types.getTypeParser as (oid: number, format?: string) => (value: string) => unknown)(oid, format ?? 'text');
}

/**
 * `onConnect` runs on each new connection before the pool hands it to anyone: pg-pool waits for the
 * promise it returns, so work done there never overlaps the caller's first statement.
 */
export function createPool(
  connectionString: string,
  max: number,
  logger: Logger,
  onConnect?: (client: pg.ClientBase) => Promise<void>,
): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'mcp-tool-server',
    types: { getTypeParser } as unknown as pg.CustomTypesConfig,
    // pg-pool awaits the hook's promise; @types/pg types its result as void. The cast only widens that.
    onConnect: onConnect as ((client: pg.ClientBase) => void) | undefined,
  });
  // Without a listener, an idle connection dropped by the server would crash the process.
  pool.on('error', (error) => {
    recordDatabaseError('postgres', 'connection');
    logger.warn('postgres idle connection error', { error: error.message });
  });
  return pool;
}

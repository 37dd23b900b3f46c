import type pg from 'pg';
import { ToolError } from '../../../core/errors.js';
import { refuse } from '../refusals.js';
import { recordDatabaseError } from '../../../infra/metrics.js';

export interface Session {
  client: pg.PoolClient;
  /** Runs `fn` in a transaction that commits (writes) or always rolls back (reads). */
  transaction<T>(mode: 'read only' | 'default', timeoutMs: number, end: 'COMMIT' | 'ROLLBACK', fn: () => Promise<T>): Promise<T>;
  /** Closes the connection instead of returning it to the pool when the operation ends. */
  discard(): void;
}

/**
 * Borrows a pooled connection for one operation. On cancellation the running statement is
 * cancelled and the connection is discarded rather than returned, so the cancel can never land
 * on someone else's statement later.
 */
export async function withSession<T>(
  pool: pg.Pool,
  signal: AbortSignal,
  cancelBackend: (pid: number) => Promise<void>,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  if (signal.aborted) throw refuse.cancelled();
  const client = await pool.connect();
  let discard = false;
  let active = true;
  const onAbort = () => {
    if (!active) return;
    discard = true;
    const pid = (client as unknown as { processID?: number }).processID;
    if (pid) cancelBackend(pid).catch(() => {});
  };
  signal.addEventListener('abort', onAbort, { once: true });
  // A checked-out client reports a dropped connection (database restart) as an 'error' event
  // between queries; without a listener that event would crash the process. The next query on it
  // fails with a clear error, and the broken client is discarded on release.
  const onClientError = () => {
    discard = true;
    recordDatabaseError('postgres', 'connection');
  };
  client.on('error', onClientError);

  const session: Session = {
    client,
    discard: () => {
      discard = true;
    },
    async transaction(mode, timeoutMs, end, body) {
      // Security: a read-only statement can still take session-level advisory locks, which
      // outlive ROLLBACK; they are released before the connection goes back to the pool.
      const after = mode === 'read only' ? '; SELECT pg_advisory_unlock_all()' : '';
      try {
        // Security: the time limit is the database's own; a number we computed, never caller text.
        // One round trip: both statements are ours, sent as one simple query.
        // A cancel only stops the statement running when it arrives: once the call is cancelled,
        // no further statement may start (the body's first statement would otherwise run on).
        if (signal.aborted) throw refuse.cancelled();
        await client.query(
          `${mode === 'read only' ? 'BEGIN READ ONLY' : 'BEGIN'}; SET LOCAL statement_timeout = ${Math.max(1, Math.ceil(timeoutMs))}`,
        );
        if (signal.aborted) throw refuse.cancelled();
        const result = await body();
        await client.query(end + after);
        return result;
      } catch (error) {
        await client.query(`ROLLBACK${after}`).catch(() => {
          discard = true;
        });
        throw error;
      }
    },
  };

  try {
    return await fn(session);
  } catch (error) {
    // An error without a SQLSTATE is a broken connection: do not hand it to the next caller.
    if (!(error instanceof ToolError) && typeof (error as { severity?: unknown })?.severity !== 'string') discard = true;
    throw error;
  } finally {
    active = false;
    signal.removeEventListener('abort', onAbort);
    client.off('error', onClientError);
    client.release(discard ? true : undefined);
  }
}

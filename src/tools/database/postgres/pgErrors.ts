import { isToolError, ToolError } from '../../../core/errors.js';
import { refuse, sqlError } from '../refusals.js';

interface PgError {
  code: string;
  message: string;
  detail?: string;
  position?: string;
}

function isPgError(error: unknown): error is PgError {
  const e = error as { code?: unknown; severity?: unknown };
  return typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string';
}

export interface PgErrorContext {
  phase: 'query' | 'write' | 'catalog';
  timeoutMs: number;
  aborted: boolean;
  /** For `query`: the text sent and where the caller's SQL starts in it. */
  sent?: { text: string; sqlStart: number };
}

/** The database's complaint is about the first word of the caller's SQL: a statement kind DECLARE … FOR cannot hold. */
function atStatementStart(error: PgError, sent: PgErrorContext['sent']): boolean {
  if (!sent || !error.position) return false;
  const at = Number(error.position) - 1;
  return at >= sent.sqlStart && sent.text.slice(sent.sqlStart, at).trim() === '';
}

export function pgToolError(error: unknown, ctx: PgErrorContext): ToolError {
  if (isToolError(error)) return error;
  if (!isPgError(error)) {
    // Network errors name hosts and ports; keep them in the log, not in the reply.
    return new ToolError('UNAVAILABLE', 'The PostgreSQL server is unreachable or closed the connection; retry later.');
  }
  const { code, message } = error;
  const klass = code.slice(0, 2);
  if (code === '42601' && /multiple commands/i.test(message)) return refuse.stacked();
  if (code === '42601' && atStatementStart(error, ctx.sent)) return refuse.notRows(`the database said: ${message}.`);
  if (code === '0A000' && /data-modifying/i.test(message)) return refuse.write('a data-modifying statement inside WITH');
  if (code === '25006') {
    if (ctx.phase === 'query') return refuse.write(message);
    return new ToolError(
      'FORBIDDEN',
      `Refused by the database: ${message}. The server's database role is read-only (default_transaction_read_only), so the write operations cannot work.`,
    );
  }
  if (code === '25001' || code === '25P01') return refuse.readOnlyMode(message);
  if (code === '42501') return refuse.privilege(message);
  if (code === '57014') return ctx.aborted ? refuse.cancelled() : refuse.timeout(ctx.timeoutMs);
  if (klass === '23')
    return new ToolError('CONFLICT', `The database refused the change: ${message}${error.detail ? ` (${error.detail})` : ''}.`);
  if (code === '08P01') return sqlError(message, 'params bind to $1, $2 … in order.');
  if (['08', '53', '57', '58', 'XX'].includes(klass)) {
    return new ToolError('UNAVAILABLE', `The PostgreSQL server could not run the statement (${code}); retry later.`);
  }
  if (['42', '22', '0A', '21', '2B', '2F', '38', '39', '44', '54', '55', 'P0'].includes(klass)) {
    return sqlError(
      message,
      ctx.phase === 'query' ? 'query accepts one read-only SELECT, WITH … SELECT, VALUES or TABLE statement; params bind to $1, $2 ….' : '',
    );
  }
  return new ToolError('UPSTREAM_ERROR', `The database reported an error: ${message}.`);
}

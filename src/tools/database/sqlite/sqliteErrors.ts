import { ToolError } from '../../../core/errors.js';
import { refuse, sqlError } from '../refusals.js';
import type { SqliteQueryReply } from './sqliteQuery.js';

/** Maps a better-sqlite3 error (code like SQLITE_CONSTRAINT_UNIQUE, or RangeError/TypeError) to a ToolError. */
export function sqliteToolError(code: string, message: string): ToolError {
  if (code.startsWith('SQLITE_CONSTRAINT')) return new ToolError('CONFLICT', `The database refused the change: ${message}.`);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new ToolError('UNAVAILABLE', 'The SQLite database is locked by another writer; retry shortly.');
  }
  if (code.startsWith('SQLITE_READONLY')) return refuse.write(message);
  if (code === 'SQLITE_AUTH') return refuse.privilege(message);
  if (/^SQLITE_(IOERR|CANTOPEN|CORRUPT|FULL|NOTADB|PERM)/.test(code)) {
    // No detail: these messages can carry file system state of the server.
    return new ToolError('UNAVAILABLE', 'The SQLite database file could not be read or written.');
  }
  if (code === 'RangeError' || code === 'TypeError') return sqlError(message, 'params bind to the ? placeholders in order.');
  return sqlError(message);
}

export function fromReply(reply: Exclude<SqliteQueryReply, { ok: true }>): ToolError {
  if ('error' in reply) return sqliteToolError(reply.error.code, reply.error.message);
  switch (reply.refusal) {
    case 'stacked':
      return refuse.stacked();
    case 'write':
      return refuse.write(reply.detail);
    case 'not_rows':
      return refuse.notRows(reply.detail);
    case 'not_readable':
      return refuse.notReadable(reply.detail);
    case 'opaque_read':
      return refuse.opaqueRead();
    case 'host_path':
      return refuse.hostPath(reply.detail);
  }
}

/** Runs a main-connection call, turning driver errors into ToolErrors. */
export function withSqliteErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ToolError) throw error;
    const e = error as { code?: unknown; name?: string; message?: string };
    throw sqliteToolError(typeof e.code === 'string' ? e.code : (e.name ?? 'Error'), e.message ?? String(error));
  }
}

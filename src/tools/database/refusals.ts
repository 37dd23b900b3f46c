import { ToolError } from '../../core/errors.js';

/**
 * The refusals both backends share, worded once so a model gets the same explanation whichever
 * database is behind the server: what was refused, why, and what to do instead.
 */
export const refuse = {
  stacked: () =>
    new ToolError(
      'FORBIDDEN',
      'Refused: query runs exactly one SQL statement, and this text contains more than one (stacked statements are not allowed). Send each SELECT in its own call.',
    ),
  write: (detail: string) =>
    new ToolError(
      'FORBIDDEN',
      `Refused: query is read-only and the database reports that this statement would change data (${detail}). Use insert, update or delete to change data.`,
    ),
  notRows: (detail: string) =>
    new ToolError(
      'FORBIDDEN',
      `Refused: query only runs a statement that returns rows (SELECT, WITH … SELECT, VALUES); ${detail} Transaction control, ATTACH, PRAGMA assignments, COPY, SET and DDL are not allowed.`,
    ),
  readOnlyMode: (detail: string) =>
    new ToolError('FORBIDDEN', `Refused: query always runs in a read-only transaction and that cannot be switched off (${detail}).`),
  roleChange: (detail: string) =>
    new ToolError(
      'FORBIDDEN',
      `Refused: query may not change the role or session settings it runs with (${detail}). Remove that part; the statement always runs as the server's own role.`,
    ),
  hostPath: (detail: string) =>
    new ToolError(
      'FORBIDDEN',
      `Refused: ${detail} shows the server's file paths, which are not part of the database. Use list_tables to see the tables.`,
    ),
  tooManyRows: (table: string, maxRows: number) =>
    new ToolError(
      'FORBIDDEN',
      `Refused: more than ${maxRows} rows of "${table}" match this where (max_rows), so nothing was deleted. Narrow the where, or raise max_rows if you mean all of them.`,
    ),
  privilege: (detail: string) =>
    new ToolError('FORBIDDEN', `Refused by the database: ${detail}. The server's database role does not have this privilege, on purpose.`),
  notReadable: (table: string) =>
    new ToolError(
      'FORBIDDEN',
      `Refused: the statement reads table "${table}", which is not in this server's DB_READ_TABLES allow-list. Call list_tables to see the tables you may read.`,
    ),
  opaqueRead: () =>
    new ToolError(
      'FORBIDDEN',
      'Refused: while DB_READ_TABLES is set, table-valued functions and virtual tables (json_each, pragma_*, dbstat…) are not allowed, because the server cannot tell which tables they read.',
    ),
  timeout: (ms: number) =>
    new ToolError(
      'TIMEOUT',
      `The statement ran longer than the ${ms} ms limit (DB_STATEMENT_TIMEOUT_MS) and was stopped. Add a LIMIT, narrow the WHERE clause or aggregate on indexed columns.`,
    ),
  cancelled: () => new ToolError('CANCELLED', 'The request was cancelled; the statement was stopped.'),
};

/** SQL the database could not run for a reason the caller can fix (syntax, unknown column…). */
export function sqlError(message: string, hint = ''): ToolError {
  return new ToolError('INVALID_PARAMS', `The database rejected the SQL: ${message}.${hint ? ` ${hint}` : ''}`);
}

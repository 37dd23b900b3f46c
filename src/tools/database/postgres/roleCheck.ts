import type pg from 'pg';
import { ToolError } from '../../../core/errors.js';
import { listPgReadableTables } from './pgCatalog.js';

export interface RoleReport {
  role: string;
  /** Why the role can escape the database's own rules (superuser, server file or program access). */
  privileged: string[];
  /** Tables the role may read that DB_READ_TABLES does not list. */
  extraReadable: string[];
}

// Members of these roles can read or write the server's files or run programs (COPY … PROGRAM).
const DANGEROUS_ROLES = ['pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program'];

export async function inspectRole(pool: pg.Pool, readTables: string[]): Promise<RoleReport> {
  const { rows } = await pool.query<{ role: string; superuser: boolean; groups: string[] }>(
    `SELECT current_user AS role, r.rolsuper AS superuser,
            ARRAY(SELECT g.rolname FROM pg_roles g
                  WHERE g.rolname = ANY($1::text[]) AND pg_has_role(current_user, g.oid, 'MEMBER'))::text[] AS groups
     FROM pg_roles r WHERE r.rolname = current_user`,
    [DANGEROUS_ROLES],
  );
  const me = rows[0]!;
  // A superuser is a member of every role: naming the groups too would only add noise.
  const privileged = me.superuser ? ['superuser'] : me.groups.map((g) => `member of ${g}`);
  const extraReadable = readTables.length > 0 ? (await listPgReadableTables(pool)).filter((t) => !readTables.includes(t)) : [];
  return { role: me.role, privileged, extraReadable };
}

export function privilegedRoleError(report: RoleReport): ToolError {
  return new ToolError(
    'FORBIDDEN',
    `query is disabled: the server refuses to run free-form SQL as PostgreSQL role "${report.role}" (${report.privileged.join(', ')}), because such a role can read server files and run programs, ` +
      'bypassing every read-only and permission rule. list_tables, describe_table, insert and update still work. The operator should connect with a least-privilege role ' +
      '(see docs/tools/database.md) or set DB_ALLOW_PRIVILEGED_ROLE=true to accept the risk.',
  );
}

export function readListError(report: RoleReport): ToolError {
  const shown = report.extraReadable.slice(0, 20).join(', ') + (report.extraReadable.length > 20 ? ', …' : '');
  return new ToolError(
    'FORBIDDEN',
    `query is disabled: DB_READ_TABLES is set, but the database role "${report.role}" can also read ${shown}. On PostgreSQL the allow-list ` +
      "for free-form SQL is enforced by the role's privileges, so the operator must revoke SELECT on those tables (or list them). " +
      'list_tables, describe_table, insert and update still work.',
  );
}

import type pg from 'pg';
import { ToolError } from '../../../core/errors.js';

export interface RoleReport {
  /** current_user of the connection. */
  role: string;
  /** session_user (the login); differs from role when DATABASE_URL sets `-c role=…`. */
  sessionUser: string;
  /** Why the role can escape the database's own rules (superuser, server file or program access, remote connections). */
  privileged: string[];
  /** Tables the role may read that DB_READ_TABLES does not list. */
  extraReadable: string[];
}

// Members of these roles can read or write the server's files or run programs (COPY … PROGRAM).
const DANGEROUS_ROLES = ['pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program'];
// Their functions open new connections that are neither read-only nor bound by our time limit.
const REMOTE_EXTENSIONS = ['dblink', 'postgres_fdw'];
// Server file access by function (revoked from PUBLIC by default; an operator can GRANT EXECUTE
// on them without any of the roles above). adminpack's writers live in pg_catalog too.
const FILE_FUNCTIONS = [
  'pg_read_file',
  'pg_read_binary_file',
  'pg_ls_dir',
  'pg_stat_file',
  'lo_import',
  'lo_export',
  'pg_file_write',
  'pg_file_rename',
  'pg_file_unlink',
  'pg_file_sync',
];

/**
 * Security: every role the connection could act as, by any membership path. It starts from both
 * current_user and session_user (a superuser login with `-c role=x` can RESET ROLE) and follows
 * pg_auth_members recursively, ignoring INHERIT/NOINHERIT: a NOINHERIT member cannot use the
 * role's privileges directly, but it can still SET ROLE to it (or set_config('role', …)).
 */
const CLOSURE = `WITH RECURSIVE closure(oid) AS (
    SELECT oid FROM pg_roles WHERE rolname IN (current_user, session_user)
    UNION
    SELECT m.roleid FROM pg_auth_members m JOIN closure c ON m.member = c.oid
  )`;

const INSPECT = `${CLOSURE}
  SELECT current_user::text AS role, session_user::text AS session_role,
    ARRAY(SELECT r.rolname::text FROM closure c JOIN pg_roles r ON r.oid = c.oid WHERE r.rolsuper ORDER BY 1) AS superusers,
    ARRAY(SELECT r.rolname::text FROM closure c JOIN pg_roles r ON r.oid = c.oid WHERE r.rolname = ANY($1::text[]) ORDER BY 1) AS groups,
    ARRAY(SELECT DISTINCT e.extname::text FROM pg_extension e
          JOIN pg_depend d ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid AND d.classid = 'pg_proc'::regclass
          WHERE e.extname = ANY($2::text[])
            AND EXISTS (SELECT 1 FROM closure c WHERE has_function_privilege(c.oid, d.objid, 'EXECUTE'))
          ORDER BY 1) AS extensions,
    ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
          WHERE l.lanname = 'c' AND p.probin ~ '(dblink|postgres_fdw)'
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
            AND EXISTS (SELECT 1 FROM closure c WHERE has_function_privilege(c.oid, p.oid, 'EXECUTE'))
          ORDER BY 1) AS loose_functions,
    ARRAY(SELECT DISTINCT p.proname::text FROM pg_proc p
          WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname = ANY($3::text[])
            AND EXISTS (SELECT 1 FROM closure c WHERE has_function_privilege(c.oid, p.oid, 'EXECUTE'))
          ORDER BY 1) AS file_functions`;

// Security: readable by any role in the closure, not only current_user: a NOINHERIT membership still
// lets a statement switch role, so its tables count as readable.
const READABLE = `${CLOSURE}
  SELECT n.nspname AS schema, c.relname AS name, n.nspname = current_schema() AS current
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
    AND EXISTS (SELECT 1 FROM closure r WHERE has_schema_privilege(r.oid, n.oid, 'USAGE') AND has_any_column_privilege(r.oid, c.oid, 'SELECT'))
  ORDER BY 1, 2`;

interface InspectRow {
  role: string;
  session_role: string;
  superusers: string[];
  groups: string[];
  extensions: string[];
  loose_functions: string[];
  file_functions: string[];
}

function reasons(row: InspectRow): string[] {
  // A superuser is a member of every role: naming the rest would only add noise.
  if (row.superusers.includes(row.role)) return ['superuser'];
  return [
    ...row.superusers.map((s) => (s === row.session_role ? `session user "${s}" is a superuser` : `can become superuser "${s}"`)),
    ...row.groups.map((g) => `member of ${g}`),
    ...row.extensions.map((e) => `can execute ${e} functions`),
    ...row.loose_functions.map((f) => `can execute ${f}`),
    ...row.file_functions.map((f) => `can execute ${f}()`),
  ];
}

/** Inspects the role of one connection (each new pooled connection is checked before it runs `query`). */
export async function inspectRole(client: pg.ClientBase, readTables: string[]): Promise<RoleReport> {
  const { rows } = await client.query<InspectRow>(INSPECT, [DANGEROUS_ROLES, REMOTE_EXTENSIONS, FILE_FUNCTIONS]);
  const row = rows[0]!;
  let extraReadable: string[] = [];
  if (readTables.length > 0) {
    const readable = await client.query<{ schema: string; name: string; current: boolean }>(READABLE);
    extraReadable = readable.rows.map((r) => (r.current ? r.name : `${r.schema}.${r.name}`)).filter((t) => !readTables.includes(t));
  }
  return { role: row.role, sessionUser: row.session_role, privileged: reasons(row), extraReadable };
}

export function privilegedRoleError(report: RoleReport): ToolError {
  return new ToolError(
    'FORBIDDEN',
    `query is disabled: the server refuses to run free-form SQL as PostgreSQL role "${report.role}" (${report.privileged.join(', ')}), because such a role can read server files, run programs or open connections of its own, ` +
      'bypassing every read-only and permission rule. list_tables, describe_table and the write operations still work. The operator should connect with a least-privilege role ' +
      '(see docs/tools/database.md) or set DB_ALLOW_PRIVILEGED_ROLE=true to accept the risk.',
  );
}

export function readListError(report: RoleReport): ToolError {
  const shown = report.extraReadable.slice(0, 20).join(', ') + (report.extraReadable.length > 20 ? ', …' : '');
  return new ToolError(
    'FORBIDDEN',
    `query is disabled: DB_READ_TABLES is set, but the database role "${report.role}" can also read ${shown}. On PostgreSQL the allow-list ` +
      "for free-form SQL is enforced by the role's privileges (its own and those of every role it can switch to), so the operator must revoke SELECT on those tables (or list them). " +
      'list_tables, describe_table and the write operations still work.',
  );
}

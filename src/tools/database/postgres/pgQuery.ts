import type pg from 'pg';
import type { JsonValue, QueryLimits, QueryResult, Scalar } from '../backend.js';
import { refuse } from '../refusals.js';
import { jsonSize, toJsonValue } from '../values.js';
import { pgToolError } from './pgErrors.js';
import type { Session } from './pgSession.js';

const CURSOR = 'mcp_query';
// Security: DECLARE … CURSOR FOR accepts only a row-returning query (SELECT, VALUES, TABLE,
// WITH … SELECT without data-modifying parts), so COPY, SET, DO, CALL and DDL are refused by the
// server's grammar, not by reading the SQL here.
const PREFIX = `DECLARE ${CURSOR} NO SCROLL CURSOR FOR\n`;
const FETCH_BATCH = 500;

/** Who the connection runs as, from the role check done when the connection was opened. */
export interface ExpectedRole {
  role: string;
  sessionUser: string;
}

/**
 * Security: the second layer against role changes (roleChange.ts is the first). Read in the
 * query's own transaction right after each FETCH and checked after the last one, so a switch made by any row that was returned is
 * still in effect here; then nothing read is returned and the connection is thrown away.
 * current_user and session_user are SQL keywords, not functions a role could shadow.
 */
function checkRoleUnchanged(session: Session, expected: ExpectedRole, now: [string, string] | undefined): void {
  if (now?.[0] === expected.role && now[1] === expected.sessionUser) return;
  session.discard();
  throw refuse.roleChange(`the statement switched to role "${now?.[0]}"; its result is withheld`);
}

// Sent with every FETCH in one simple query (both statements are ours): no extra round trip.
const ROLE_NOW = 'SELECT current_user::text, session_user::text';

/** Type OIDs → readable names (format_type), shared across calls. */
export type TypeNames = Map<number, string>;

async function columnTypes(client: pg.PoolClient, fields: pg.FieldDef[], names: TypeNames): Promise<string[]> {
  const missing = [...new Set(fields.map((f) => f.dataTypeID).filter((oid) => !names.has(oid)))];
  if (missing.length > 0) {
    const { rows } = await client.query<{ oid: number; name: string }>(
      'SELECT oid::int AS oid, format_type(oid, NULL) AS name FROM pg_type WHERE oid = ANY($1::oid[])',
      [missing],
    );
    for (const r of rows) names.set(r.oid, r.name);
  }
  return fields.map((f) => names.get(f.dataTypeID) ?? 'unknown');
}

/**
 * One read-only statement. Security: it runs inside BEGIN READ ONLY with a statement_timeout and
 * is always rolled back, as a single extended-protocol statement (the server rejects a second
 * statement), behind a cursor that is fetched only up to max_rows + 1 rows.
 */
export async function runPgQuery(
  session: Session,
  sql: string,
  params: Scalar[],
  limits: QueryLimits,
  signal: AbortSignal,
  names: TypeNames,
  expected: ExpectedRole,
): Promise<QueryResult> {
  const { client } = session;
  const deadline = Date.now() + limits.timeoutMs;
  const text = PREFIX + sql;
  try {
    return await session.transaction('read only', limits.timeoutMs, 'ROLLBACK', async () => {
      // queryMode 'extended' forces Parse/Bind/Execute even without params: one statement only.
      await client.query({ text, values: params, queryMode: 'extended' } as pg.QueryConfig);
      const rows: JsonValue[][] = [];
      let fields: pg.FieldDef[] | undefined;
      let truncated: QueryResult['truncated_reason'];
      let bytes = 2;
      let fetched = 0;
      let roleNow: [string, string] | undefined;
      const want = limits.maxRows + 1;
      fetching: while (fetched < want) {
        if (fetched > 0) {
          // statement_timeout counts per statement: give each later FETCH only the time left.
          const left = deadline - Date.now();
          if (left <= 0) throw refuse.timeout(limits.timeoutMs);
          await client.query(`SET LOCAL statement_timeout = ${Math.ceil(left)}`);
        }
        const n = Math.min(FETCH_BATCH, want - fetched);
        // Two statements in one simple query: pg answers with one result per statement.
        const [batch, who] = (await client.query<unknown[]>({
          text: `FETCH FORWARD ${n} FROM ${CURSOR}; ${ROLE_NOW}`,
          rowMode: 'array',
        })) as unknown as [pg.QueryResult<unknown[]>, pg.QueryResult<unknown[]>];
        roleNow = who.rows[0] as [string, string] | undefined;
        fields ??= batch.fields;
        fetched += batch.rows.length;
        for (const raw of batch.rows) {
          if (rows.length === limits.maxRows) {
            truncated = 'max_rows';
            break fetching;
          }
          const row = raw.map(toJsonValue);
          const size = jsonSize(row) + 1;
          if (bytes + size > limits.maxBytes) {
            truncated = 'max_bytes';
            break fetching;
          }
          rows.push(row);
          bytes += size;
        }
        if (batch.rows.length < n) break;
      }
      checkRoleUnchanged(session, expected, roleNow);
      const types = fields ? await columnTypes(client, fields, names) : [];
      return {
        columns: (fields ?? []).map((f, i) => ({ name: f.name, type: types[i]! })),
        rows,
        row_count: rows.length,
        truncated: truncated !== undefined,
        ...(truncated ? { truncated_reason: truncated } : {}),
      };
    });
  } catch (error) {
    throw pgToolError(error, {
      phase: 'query',
      timeoutMs: limits.timeoutMs,
      aborted: signal.aborted,
      sent: { text, sqlStart: PREFIX.length },
    });
  }
}

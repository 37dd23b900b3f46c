import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { BenchContext } from '../lib/context.js';
import { fmt } from '../lib/format.js';
import type { LoadResult, LoadShape } from '../lib/load.js';
import { startOurs, type OurServer } from '../lib/ours.js';
import { envelopeBody, envelopeHeaders } from '../lib/requests.js';
import { httpContender, interleaved, pairedRatio, type Contender } from '../lib/rounds.js';
import { percentile } from '../lib/stats.js';
import { requireOperation, requireParameter } from './guards.js';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const roleUrl = (role: string) => `postgres://${role}@127.0.0.1:5432/test`;
const POOL_SIZE = 10;

async function reachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The same query straight through a pg pool, `connections` callers in this process. */
function pgContender(pool: pg.Pool, sql: string): Contender {
  return {
    id: 'pg',
    label: `pg Pool (max ${POOL_SIZE}) direct`,
    memory: () => undefined,
    run: async (shape: LoadShape): Promise<LoadResult> => {
      const latencies: number[] = [];
      let failures = 0;
      const started = performance.now();
      const deadline = started + (shape.durationS ?? 5) * 1000;
      const caller = async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          try {
            await pool.query(sql);
            latencies.push(performance.now() - t0);
          } catch {
            failures++;
          }
        }
      };
      await Promise.all(Array.from({ length: shape.connections }, caller));
      const seconds = (performance.now() - started) / 1000;
      return {
        rps: latencies.length / seconds,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        requests: latencies.length,
        failures,
      };
    },
  };
}

/** database.query through our server (envelope, full stack, cache off) vs the same SQL through pg. */
export async function databaseWorkload(ctx: BenchContext): Promise<void> {
  const { book, settings, log } = ctx;
  const section = book.section('database', 'database.query through us vs straight through pg (PostgreSQL, 50 callers)');
  const why = await reachable();
  if (why) {
    section.status = 'skipped';
    section.notes.push(`Skipped: PostgreSQL at 127.0.0.1:5432 (db test) is not reachable: ${why}.`);
    return;
  }
  const suffix = randomBytes(4).toString('hex');
  const table = `bench_items_${suffix}`;
  // Our server refuses superuser roles, as a deployment should: both sides use a reader role made for this run.
  const role = `bench_reader_${suffix}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  let pool: pg.Pool | undefined;
  let server: OurServer | undefined;
  try {
    await admin.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, name text NOT NULL, score double precision NOT NULL)`);
    await admin.query(`INSERT INTO ${table} SELECT g, 'item ' || g, g * 0.5 FROM generate_series(1, 1000) AS g`);
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await admin.query(`GRANT SELECT ON ${table} TO ${role}`);
    pool = new pg.Pool({ connectionString: roleUrl(role), max: POOL_SIZE });
    const sql = `SELECT id, name, score FROM ${table} WHERE id BETWEEN 100 AND 119 ORDER BY id`;

    // Cache off so every call reaches PostgreSQL, as the direct pg side does.
    server = await startOurs({
      name: 'ours-database',
      env: { DATABASE_URL: roleUrl(role), CACHE_MAX_ENTRIES: '0', DB_READ_TABLES: table },
    });
    if (!(await requireOperation(server, section, 'database', 'query'))) return;
    const param = await requireParameter(server, section, 'database', 'query', ['sql', 'query', 'statement']);
    if (!param) return;
    const check = await server.envelope('database', 'query', { [param]: sql });
    if (check.status !== 200) {
      section.status = 'skipped';
      section.notes.push(
        `Skipped: database.query answered ${check.status}: ${String(check.json?.content?.error ?? check.text).slice(0, 300)}`,
      );
      return;
    }
    const body = envelopeBody('database', 'query', { [param]: sql });
    const ours = httpContender(
      'ours',
      'ours, envelope database.query',
      {
        url: server.mcpUrl,
        requests: [{ body, headers: envelopeHeaders(server.key) }],
        verify: (text) => text.includes('"message_type":"response"') && text.includes('item 100'),
      },
      server.memory,
    );
    const result = await interleaved([ours, pgContender(pool, sql)], settings.tools, log);
    const us = result.summaries.get('ours')!;
    const direct = result.summaries.get('pg')!;
    const ratio = pairedRatio(result, 'ours', 'pg');
    section.tables.push({
      columns: ['Path', 'rps', 'p50 ms', 'p99 ms'],
      rows: [us, direct].map((x) => [x.label, fmt.rps(x.rps), fmt.ms(x.p50), fmt.ms(x.p99)]),
    });
    section.notes.push(
      `Throughput through us / direct: ${fmt.ratio(ratio)}. Query: 20 rows by primary key from a 1,000-row table, as a least-privilege role with SELECT on that table only, result cache off. The direct side runs in the bench process (no HTTP), so the ratio is the whole cost of serving a query over HTTP with auth, validation, the read-only guard and the envelope.`,
    );
    section.data = { ours: us, direct, ratio, sql };
    book.ratio({ label: 'database.query via us / pg direct', value: ratio, group: 'vs baseline' });
  } finally {
    await server?.dispose();
    await pool?.end().catch(() => undefined);
    await admin.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}

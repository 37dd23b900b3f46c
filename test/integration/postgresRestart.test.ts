import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/privatePostgres.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';

const KEY = 'pg-restart-key-0123456789';
let cluster: PrivatePostgres | string;
let server: ServerProcess | undefined;

beforeAll(async () => {
  cluster = await startPrivatePostgres();
  if (typeof cluster === 'string') {
    if (process.env.CI === 'true') throw new Error(`CI needs a private PostgreSQL cluster: ${cluster}`);
    return;
  }
  // A least-privilege role, as the README recommends, owning one table.
  const admin = new pg.Client(cluster.url);
  await admin.connect();
  await admin.query(
    `CREATE ROLE mcp_app LOGIN; CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL); GRANT SELECT, INSERT, UPDATE ON notes TO mcp_app; GRANT USAGE ON SEQUENCE notes_id_seq TO mcp_app`,
  );
  await admin.end();
  server = await spawnServer({
    DATABASE_URL: cluster.url.replace('postgres@', 'mcp_app@'),
    MCP_API_KEYS: `k:${KEY}:read+write`,
    DB_STATEMENT_TIMEOUT_MS: '3000',
  });
}, 120_000);

afterAll(() => {
  server?.child.kill('SIGKILL');
  if (typeof cluster !== 'string') cluster?.destroy();
});

async function call(name: string, args: Record<string, unknown>) {
  const started = Date.now();
  if (server!.child.exitCode !== null) throw new Error(`server died:\n${server!.output().slice(-3000)}`);
  const response = await fetch(server!.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
    signal: AbortSignal.timeout(20_000),
  });
  const body = await response.json();
  return { status: response.status, body, ms: Date.now() - started };
}

describe('PostgreSQL restarted during load', () => {
  it('answers every call (never a 500 or a hang) and recovers once the database is back', async (context) => {
    if (typeof cluster === 'string') return context.skip(`no private PostgreSQL: ${cluster}`);
    const acknowledged: string[] = [];
    const outcomes: { status: number; isError: boolean; ms: number }[] = [];
    let running = true;
    const load = Array.from({ length: 6 }, async (_, worker) => {
      for (let i = 0; running && i < 400; i++) {
        const body = `w${worker}-${i}`;
        const result =
          i % 2 === 0
            ? await call('insert', { table: 'notes', records: [{ body }] })
            : await call('query', { sql: 'SELECT count(*) FROM notes', params: [] });
        outcomes.push({ status: result.status, isError: Boolean(result.body.result?.isError), ms: result.ms });
        if (i % 2 === 0 && result.status === 200 && !result.body.result?.isError) acknowledged.push(body);
      }
    });
    // Counted, not timed: calls are in flight before the restart and go on well after it, however
    // slowly a loaded machine gets through them.
    await expect.poll(() => outcomes.length, { timeout: 60_000, interval: 20 }).toBeGreaterThanOrEqual(6);
    (cluster as PrivatePostgres).restart();
    const atRestart = outcomes.length;
    await expect.poll(() => outcomes.length - atRestart, { timeout: 60_000, interval: 20 }).toBeGreaterThanOrEqual(12);
    running = false;
    await Promise.all(load);

    expect(server!.child.exitCode, server!.output().slice(-3000)).toBeNull();
    expect(outcomes.length).toBeGreaterThan(10);
    expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(15_000);

    // Back to normal: the pool reconnects by itself.
    const after = await call('query', { sql: 'SELECT count(*) AS n FROM notes', params: [] });
    expect(after.body.result.isError).toBeFalsy();
    // Every acknowledged insert is in the table.
    const check = new pg.Client((cluster as PrivatePostgres).url);
    await check.connect();
    const { rows } = await check.query<{ body: string }>('SELECT body FROM notes');
    await check.end();
    const stored = new Set(rows.map((r) => r.body));
    expect(acknowledged.filter((b) => !stored.has(b))).toEqual([]);
  }, 120_000);
});

import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresFixture, postgresReachable, type DbFixture } from './fixtures.js';
import { dbHarness } from './helpers.js';

const pgUp = await postgresReachable();
if (!pgUp)
  describe.skip('postgres specifics: skipped, PostgreSQL is unreachable at 127.0.0.1:5432 (CI=true turns this into a failure)', () => {});

describe('database tool, PostgreSQL unreachable', () => {
  it('reports unavailability without naming the host', async () => {
    const t = await dbHarness({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    try {
      const error = await t.fails('list_tables', {}, 'UNAVAILABLE', /unreachable/);
      expect(error.message).not.toContain('127.0.0.1');
      await expect(t.h.module.ready!()).rejects.toThrow(/^database: The PostgreSQL server is unreachable/);
    } finally {
      await t.close();
    }
  });
});

describe.runIf(pgUp)('database tool, PostgreSQL specifics', () => {
  let fx: DbFixture;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'mcp-db-pg-'));
  beforeAll(async () => {
    fx = await postgresFixture();
  });
  afterAll(async () => fx?.close());
  beforeEach(async () => fx.reset());

  describe('a superuser role', () => {
    it('may not run free-form SQL by default, while the structured operations keep working', async () => {
      const t = await dbHarness(fx.env('superuser'));
      try {
        await t.fails(
          'query',
          { sql: "SELECT pg_read_file('/etc/hostname')" },
          'FORBIDDEN',
          /refuses to run free-form SQL as PostgreSQL role "postgres" \(superuser\).*least-privilege/,
        );
        await t.fails('query', { sql: 'SELECT 1' }, 'FORBIDDEN', /superuser/);
        expect((await t.call('list_tables', {})).tables.length).toBeGreaterThan(0);
        expect((await t.call('update', { table: 'users', set: { age: 1 }, where: { id: 1 } })).updated).toBe(1);
        await t.h.module.ready!();
      } finally {
        await t.close();
      }
    });

    it('with DB_ALLOW_PRIVILEGED_ROLE=true still cannot run COPY … TO PROGRAM', async () => {
      const t = await dbHarness(fx.env('superuser', { DB_ALLOW_PRIVILEGED_ROLE: 'true' }));
      try {
        await t.h.module.ready!();
        expect((await t.call('query', { sql: 'SELECT count(*) FROM users' })).rows).toEqual([[3]]);
        const marker = path.join(tmp, 'pwned');
        await t.fails('query', { sql: `COPY (SELECT 1) TO PROGRAM 'touch ${marker}'` }, 'FORBIDDEN', /COPY/);
        await t.fails('query', { sql: `SELECT 1; COPY (SELECT 1) TO PROGRAM 'touch ${marker}'` }, 'FORBIDDEN', /stacked/);
        expect(existsSync(marker)).toBe(false);
      } finally {
        await t.close();
      }
    });
  });

  describe('a read-only role (default_transaction_read_only = on)', () => {
    it('can query but not write, and no query can switch that off for later calls', async () => {
      // One pooled connection, so the attack and the later calls share a session.
      const t = await dbHarness(fx.env('readonly', { DB_POOL_MAX: '1' }));
      try {
        const setting = "SELECT current_setting('default_transaction_read_only') AS v";
        expect((await t.call('query', { sql: setting })).rows).toEqual([['on']]);
        await t.fails('insert', { table: 'users', records: [{ name: 'x' }] }, 'FORBIDDEN', /role is read-only/);
        await t.h.call('query', { sql: "SELECT set_config('default_transaction_read_only', 'off', false)" }).catch(() => undefined);
        expect((await t.call('query', { sql: `${setting} WHERE 1 = 1` })).rows).toEqual([['on']]);
        await t.fails('update', { table: 'users', set: { name: 'x' }, where: { id: 1 } }, 'FORBIDDEN', /role is read-only/);
        expect(await fx.rows('SELECT name FROM users WHERE id = 1')).toEqual([{ name: 'Ada' }]);
      } finally {
        await t.close();
      }
    });
  });

  it('leaves no session state behind: advisory locks taken by a query are released', async () => {
    const t = await dbHarness(fx.env('app', { DB_POOL_MAX: '1' }));
    try {
      await t.call('query', { sql: 'SELECT pg_advisory_lock(4242) AS locked' });
      const held = await fx.rows(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND a.usename = '${fx.user('app')}'`,
      );
      expect(held).toEqual([{ n: 0 }]);
      // The search_path from DATABASE_URL survives the reset.
      expect((await t.call('query', { sql: 'SELECT count(*) FROM users' })).rows).toEqual([[3]]);
    } finally {
      await t.close();
    }
  });

  it('cancels the running statement when the caller goes away', async () => {
    const t = await dbHarness(fx.env('app', { DB_POOL_MAX: '1', DB_STATEMENT_TIMEOUT_MS: '120000' }));
    const busy = async () =>
      (await fx.rows(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = '${fx.user('app')}' AND state = 'active'`))[0]!.n;
    try {
      const controller = new AbortController();
      const running = t.h.call('query', { sql: 'SELECT pg_sleep(120)' }, { signal: controller.signal });
      running.catch(() => undefined);
      await expect.poll(busy, { timeout: 20_000 }).toBe(1);
      controller.abort();
      await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
      // Long before the 120 s statement limit: the server-side statement was cancelled, not left running.
      await expect.poll(busy, { timeout: 20_000 }).toBe(0);
      expect((await t.call('query', { sql: 'SELECT 1 AS one' })).rows).toEqual([[1]]);
    } finally {
      await t.close();
    }
  }, 60_000);

  describe('DB_READ_TABLES, enforced by the role', () => {
    const tables = { DB_READ_TABLES: 'users,orders,big_spenders' };

    it('disables query while the role can read more than the list, and says what to revoke', async () => {
      const t = await dbHarness(fx.env('app', tables));
      try {
        const error = await t.fails(
          'query',
          { sql: 'SELECT count(*) FROM users' },
          'FORBIDDEN',
          /query is disabled: DB_READ_TABLES is set/,
        );
        expect(error.message).toMatch(/secrets/);
        const names = (await t.call('list_tables', {})).tables.map((x: any) => x.name).sort();
        expect(names).toEqual(['big_spenders', 'orders', 'users']);
      } finally {
        await t.close();
      }
    });

    it('runs queries for a role limited to the list; the database refuses the rest', async () => {
      const t = await dbHarness(fx.env('limited', tables));
      try {
        expect((await t.call('query', { sql: 'SELECT name FROM users WHERE email = $1', params: ['ada@example.com'] })).rows).toEqual([
          ['Ada'],
        ]);
        expect((await t.call('query', { sql: 'SELECT count(*) FROM big_spenders' })).rows).toEqual([[2]]);
        await t.fails('query', { sql: 'SELECT * FROM secrets' }, 'FORBIDDEN', /permission denied for table secrets/);
        await t.fails('query', { sql: 'SELECT * FROM secret_view' }, 'FORBIDDEN', /permission denied/);
        await t.fails('describe_table', { table: 'secrets' }, 'NOT_FOUND');
        expect((await t.call('insert', { table: 'users', records: [{ name: 'Barbara' }] })).keys).toEqual([{ id: 4 }]);
        await t.fails('insert', { table: 'orders', records: [{ user_id: 1, total_cents: 5 }] }, 'FORBIDDEN', /permission denied/);
        // No DELETE grant: the database refuses, whatever the server allows.
        await t.fails('delete', { table: 'users', where: { id: 4 } }, 'FORBIDDEN', /permission denied/);
      } finally {
        await t.close();
      }
    });
  });

  it('names tables in other schemas on the search path schema.table, and uses them', async () => {
    const extra = `${fx.schema}_extra`;
    await fx.rows(`CREATE SCHEMA IF NOT EXISTS ${extra}; CREATE TABLE IF NOT EXISTS ${extra}.things (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, label text);
                   GRANT USAGE ON SCHEMA ${extra} TO ${fx.user('app')}; GRANT SELECT, INSERT, UPDATE ON ${extra}.things TO ${fx.user('app')}`);
    const url = fx.env('app').DATABASE_URL!.replace(/search_path%3D(\w+)/, `search_path%3D$1%2C${extra}`);
    const t = await dbHarness({ DATABASE_URL: url });
    try {
      const listed = (await t.call('list_tables', {})).tables.map((x: any) => x.name);
      expect(listed).toEqual(expect.arrayContaining(['users', `${extra}.things`]));
      expect((await t.call('describe_table', { table: `${extra}.things` })).primary_key).toEqual(['id']);
      expect((await t.call('insert', { table: `${extra}.things`, records: [{ label: 'a' }] })).keys).toEqual([{ id: 1 }]);
      expect((await t.call('update', { table: `${extra}.things`, set: { label: 'b' }, where: { id: 1 } })).updated).toBe(1);
      expect((await t.call('query', { sql: `SELECT label FROM ${extra}.things` })).rows).toEqual([['b']]);
    } finally {
      await t.close();
    }
  });
});

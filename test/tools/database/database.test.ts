import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresFixture, postgresReachable, sqliteFixture, type DbFixture } from './fixtures.js';
import { dbHarness, type DbHarness } from './helpers.js';

const pgUp = await postgresReachable();
if (!pgUp)
  describe.skip('postgres backend: skipped, PostgreSQL is unreachable at 127.0.0.1:5432 (CI=true turns this into a failure)', () => {});

const backends: [string, () => DbFixture | Promise<DbFixture>][] = [['sqlite', sqliteFixture]];
if (pgUp) backends.push(['postgres', postgresFixture]);

describe.each(backends)('database tool on %s', (_name, makeFixture) => {
  let fx: DbFixture;
  let t: DbHarness;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'mcp-db-attack-'));

  beforeAll(async () => {
    fx = await makeFixture();
    t = await dbHarness(fx.env('app'));
  });
  afterAll(async () => {
    await t?.close();
    await fx?.close();
  });
  beforeEach(async () => {
    await fx.reset();
    // The fixture writes around the tool, so the tool's cache cannot know: start each test clean.
    t.h.cache.invalidateLocal(['db:*']);
  });

  const userNames = async () => (await fx.rows('SELECT name FROM users ORDER BY id')).map((r) => r.name);

  describe('exploring', () => {
    it('lists tables and views with the dialect and parameter style', async () => {
      const result = await t.call('list_tables', {});
      expect(result.dialect).toBe(fx.backend);
      expect(result.param_style).toContain(fx.p(1));
      expect(result.read_only).toBe(false);
      expect(result.tables).toEqual(
        expect.arrayContaining([
          { name: 'users', kind: 'table', readable: true, writable: true },
          { name: 'big_spenders', kind: 'view', readable: true, writable: false },
          { name: 'my table', kind: 'table', readable: true, writable: true },
        ]),
      );
    });

    it('describes columns, keys and indexes', async () => {
      const users = await t.call('describe_table', { table: 'users' });
      expect(users.columns.map((c: any) => [c.name, c.type, c.nullable, c.primary_key])).toEqual([
        ['id', 'integer', false, true],
        ['name', 'text', false, false],
        ['email', 'text', true, false],
        ['age', 'integer', true, false],
      ]);
      expect(users.primary_key).toEqual(['id']);
      expect(users.indexes).toEqual(expect.arrayContaining([expect.objectContaining({ columns: ['email'], unique: true })]));
      const orders = await t.call('describe_table', { table: 'orders' });
      expect(orders.foreign_keys).toEqual([{ columns: ['user_id'], references_table: 'users', references_columns: ['id'] }]);
    });

    it('answers an unknown table with the known ones and a case hint', async () => {
      const error = await t.fails('describe_table', { table: 'Users' }, 'NOT_FOUND', /Did you mean "users"\?/);
      expect(error.message).toContain('orders');
    });
  });

  describe('query', () => {
    it('returns column names, types and rows, with bound parameters', async () => {
      const result = await t.call('query', { sql: `SELECT id, name, age FROM users WHERE age > ${fx.p(1)} ORDER BY id`, params: [30] });
      expect(result.columns).toEqual([
        { name: 'id', type: 'integer' },
        { name: 'name', type: 'text' },
        { name: 'age', type: 'integer' },
      ]);
      expect(result.rows).toEqual([
        [1, 'Ada', 36],
        [3, 'Grace', 45],
      ]);
      expect(result).toMatchObject({ row_count: 2, truncated: false });
    });

    it('reads through views and joins', async () => {
      const result = await t.call('query', { sql: 'SELECT name, total FROM big_spenders ORDER BY name' });
      expect(result.rows).toEqual([
        ['Ada', 3050],
        ['Linus', 500],
      ]);
    });

    it('caps rows at max_rows and says so', async () => {
      const result = await t.call('query', { sql: 'SELECT id FROM users ORDER BY id', max_rows: 2 });
      expect(result).toMatchObject({ rows: [[1], [2]], row_count: 2, truncated: true, truncated_reason: 'max_rows' });
      const exact = await t.call('query', { sql: 'SELECT id FROM users ORDER BY id', max_rows: 3 });
      expect(exact).toMatchObject({ row_count: 3, truncated: false });
    });

    it('stops an endless result at the row cap instead of reading it all', async () => {
      const result = await t.call('query', { sql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c' });
      const cap = t.h.config.database.maxRows;
      expect(result.row_count).toBe(cap);
      expect(result.rows.at(-1)).toEqual([cap]);
      expect(result.truncated).toBe(true);
    });

    it('reports a wrong parameter count as a fixable error', async () => {
      await t.fails('query', { sql: `SELECT ${fx.p(1)} AS a`, params: [1, 2] }, 'INVALID_PARAMS', /params bind/);
    });

    it('reports SQL errors with the database message', async () => {
      await t.fails('query', { sql: 'SELECT nope FROM users' }, 'INVALID_PARAMS', /nope/);
    });

    it('serves a repeated query from the cache until a write through the server', async () => {
      const sql = 'SELECT count(*) AS n FROM users';
      expect((await t.h.callRaw('query', { sql })).cached).toBe(false);
      const again = await t.h.callRaw('query', { sql });
      expect(again).toMatchObject({ cached: true, result: { rows: [[3]] } });
      await t.call('insert', { table: 'users', records: [{ name: 'Barbara' }] });
      const after = await t.h.callRaw('query', { sql });
      expect(after).toMatchObject({ cached: false, result: { rows: [[4]] } });
    });
  });

  describe('insert', () => {
    it('inserts records and returns their new keys', async () => {
      const result = await t.call('insert', {
        table: 'users',
        records: [{ name: 'Barbara', email: 'b@example.com', age: 50 }, { name: 'Edsger' }],
      });
      expect(result).toEqual({ table: 'users', inserted: 2, keys: [{ id: 4 }, { id: 5 }] });
      expect(await userNames()).toEqual(['Ada', 'Linus', 'Grace', 'Barbara', 'Edsger']);
    });

    it('is all or nothing', async () => {
      await t.fails('insert', { table: 'users', records: [{ name: 'Barbara' }, { email: 'no-name@example.com' }] }, 'CONFLICT');
      expect(await userNames()).toEqual(['Ada', 'Linus', 'Grace']);
    });

    it('reports a unique violation as a conflict', async () => {
      await t.fails('insert', { table: 'users', records: [{ name: 'Ada 2', email: 'ada@example.com' }] }, 'CONFLICT', /refused the change/);
    });

    it('returns empty keys for a table without a primary key', async () => {
      const result = await t.call('insert', { table: 'events', records: [{ kind: 'a', payload: 'x' }, {}] });
      expect(result).toEqual({ table: 'events', inserted: 2, keys: [{}, {}] });
      expect(await fx.rows('SELECT count(*) AS n FROM events')).toEqual([{ n: fx.backend === 'postgres' ? '2' : 2 }]);
    });

    it('refuses views and unknown columns', async () => {
      await t.fails('insert', { table: 'big_spenders', records: [{ name: 'x' }] }, 'FORBIDDEN', /is a view/);
      await t.fails(
        'insert',
        { table: 'users', records: [{ name: 'x', nickname: 'y' }] },
        'INVALID_PARAMS',
        /records\[0\]: table "users" has no column "nickname"\. Its columns are: id, name, email, age/,
      );
    });

    it('quotes names with spaces and quotes taken from the schema', async () => {
      const result = await t.call('insert', { table: 'my table', records: [{ 'the "col"': 'it works' }] });
      expect(result.keys).toEqual([{ id: 1 }]);
      const back = await t.call('query', { sql: 'SELECT "the ""col""" FROM "my table"' });
      expect(back.rows).toEqual([['it works']]);
    });
  });

  describe('update', () => {
    it('updates the rows matching a structured where', async () => {
      expect(await t.call('update', { table: 'users', set: { age: 1 }, where: { age: { op: '>', value: 30 } } })).toEqual({
        table: 'users',
        updated: 2,
      });
      expect(await fx.rows('SELECT id FROM users WHERE age = 1 ORDER BY id')).toEqual([{ id: 1 }, { id: 3 }]);
    });

    it('supports the operator set', async () => {
      const count = async (where: unknown) => (await t.call('update', { table: 'users', set: { age: 99 }, where })).updated;
      expect(await count({ id: 2 })).toBe(1);
      expect(await count({ id: { op: 'in', value: [1, 3] } })).toBe(2);
      expect(await count({ email: null })).toBe(1);
      expect(await count({ email: { op: 'is_null', value: false } })).toBe(2);
      expect(await count({ email: { op: 'like', value: '%@example.com' }, name: { op: '!=', value: 'Ada' } })).toBe(1);
      expect(await count({ id: { op: '<=', value: 2 }, age: { op: '>=', value: 99 } })).toBe(2);
    });

    it('refuses an update without where unless all_rows is true', async () => {
      await t.fails('update', { table: 'users', set: { age: 0 } }, 'FORBIDDEN', /without a where would change every row/);
      await t.fails('update', { table: 'users', set: { age: 0 }, where: {} }, 'FORBIDDEN', /all_rows/);
      expect(await fx.rows('SELECT count(*) AS n FROM users WHERE age = 0')).toEqual([{ n: fx.backend === 'postgres' ? '0' : 0 }]);
      expect(await t.call('update', { table: 'users', set: { age: 0 }, all_rows: true })).toEqual({ table: 'users', updated: 3 });
    });

    it('checks operator values', async () => {
      await t.fails(
        'update',
        { table: 'users', set: { age: 0 }, where: { id: { op: 'in', value: [] } } },
        'INVALID_PARAMS',
        /non-empty list/,
      );
      await t.fails(
        'update',
        { table: 'users', set: { age: 0 }, where: { id: { op: '<', value: [1] } } },
        'INVALID_PARAMS',
        /operator "<"/,
      );
    });

    it('a query after an update sees it', async () => {
      const sql = 'SELECT age FROM users WHERE id = 1';
      expect((await t.call('query', { sql })).rows).toEqual([[36]]);
      await t.call('update', { table: 'users', set: { age: 37 }, where: { id: 1 } });
      expect((await t.call('query', { sql })).rows).toEqual([[37]]);
    });
  });

  describe('delete', () => {
    it('deletes the rows matching a structured where and returns the count', async () => {
      expect(await t.call('delete', { table: 'orders', where: { user_id: 1, total_cents: { op: '>', value: 1500 } } })).toEqual({
        table: 'orders',
        deleted: 1,
      });
      expect((await fx.rows('SELECT id FROM orders ORDER BY id')).map((r) => r.id)).toEqual([1, 3]);
      expect((await t.call('delete', { table: 'orders', where: { id: { op: 'in', value: [1, 3, 99] } } })).deleted).toBe(2);
      expect((await t.call('delete', { table: 'orders', where: { id: 1 } })).deleted).toBe(0);
    });

    it('deletes nothing when more rows than max_rows match', async () => {
      await t.fails(
        'delete',
        { table: 'orders', where: { user_id: 1 }, max_rows: 1 },
        'FORBIDDEN',
        /more than 1 rows.*nothing was deleted/,
      );
      expect(await fx.rows('SELECT count(*) AS n FROM orders')).toEqual([{ n: fx.backend === 'postgres' ? '3' : 3 }]);
      expect((await t.call('delete', { table: 'orders', where: { user_id: 1 }, max_rows: 2 })).deleted).toBe(2);
    });

    it('refuses an empty or missing where, and never deletes every row', async () => {
      await t.fails('delete', { table: 'orders' }, 'INVALID_PARAMS');
      await t.fails('delete', { table: 'orders', where: {} }, 'INVALID_PARAMS');
      await t.fails('delete', { table: 'orders', where: { id: 1 }, all_rows: true }, 'INVALID_PARAMS');
      await t.fails('delete', { table: 'orders', where: { id: 1 }, max_rows: 0 }, 'INVALID_PARAMS');
      expect(await fx.rows('SELECT count(*) AS n FROM orders')).toEqual([{ n: fx.backend === 'postgres' ? '3' : 3 }]);
    });

    it('reports a foreign key that still points at the row as a conflict, and deletes nothing', async () => {
      await t.fails('delete', { table: 'users', where: { id: { op: 'in', value: [3, 1] } } }, 'CONFLICT', /refused the change/);
      expect(await userNames()).toEqual(['Ada', 'Linus', 'Grace']);
    });

    it('refuses views, unknown tables and injected names; values are bound', async () => {
      await t.fails('delete', { table: 'big_spenders', where: { name: 'Ada' } }, 'FORBIDDEN', /is a view/);
      await t.fails('delete', { table: 'users; DELETE FROM users', where: { id: 1 } }, 'NOT_FOUND');
      await t.fails('delete', { table: 'users', where: { '1 = 1 OR id': 1 } }, 'INVALID_PARAMS', /where: table "users" has no column/);
      expect((await t.call('delete', { table: 'users', where: { name: "x' OR '1'='1" } })).deleted).toBe(0);
      expect((await t.call('delete', { table: 'orders', where: { note: { op: 'like', value: "%' OR 1=1 --" } } })).deleted).toBe(0);
      expect(await userNames()).toEqual(['Ada', 'Linus', 'Grace']);
    });

    it('a query after a delete sees it', async () => {
      const sql = 'SELECT count(*) FROM orders';
      expect((await t.call('query', { sql })).rows).toEqual([[3]]);
      await t.call('delete', { table: 'orders', where: { id: 3 } });
      expect((await t.call('query', { sql })).rows).toEqual([[2]]);
    });
  });

  describe('attacks that must fail', () => {
    const usersIntact = async () => expect(await userNames()).toEqual(['Ada', 'Linus', 'Grace']);

    it('stacked statements', async () => {
      await t.fails('query', { sql: 'SELECT 1; DROP TABLE users' }, 'FORBIDDEN', /exactly one SQL statement/);
      await t.fails('query', { sql: 'SELECT 1; COMMIT; DROP TABLE users' }, 'FORBIDDEN', /exactly one SQL statement/);
      await t.fails('query', { sql: 'SELECT 1; DELETE FROM users' }, 'FORBIDDEN', /stacked/);
      await usersIntact();
    });

    it('a write that returns rows', async () => {
      await t.fails('query', { sql: 'DELETE FROM users RETURNING *' }, 'FORBIDDEN', /Refused/);
      await t.fails('query', { sql: `UPDATE users SET name = 'x' RETURNING id` }, 'FORBIDDEN', /Refused/);
      await usersIntact();
    });

    it('a write hidden in a CTE', async () => {
      const error: any = await t.h.call('query', { sql: 'WITH x AS (DELETE FROM users RETURNING *) SELECT * FROM x' }).catch((e: any) => e);
      // PostgreSQL refuses the data-modifying WITH; SQLite has no such syntax at all.
      expect(error.code).toBe(fx.backend === 'postgres' ? 'FORBIDDEN' : 'INVALID_PARAMS');
      if (fx.backend === 'postgres') expect(error.message).toMatch(/read-only.*data-modifying/);
      await usersIntact();
    });

    it('ATTACH DATABASE', async () => {
      const target = path.join(tmp, 'attached.db');
      await t.fails('query', { sql: `ATTACH DATABASE '${target}' AS x` }, 'FORBIDDEN', /returns rows/);
      expect(existsSync(target)).toBe(false);
    });

    it('PRAGMA writes and VACUUM INTO', async () => {
      await t.fails('query', { sql: 'PRAGMA user_version = 7' }, 'FORBIDDEN', /Refused/);
      if (fx.backend === 'sqlite') expect((await t.call('query', { sql: 'PRAGMA user_version' })).rows).toEqual([[0]]);
      await t.fails('query', { sql: 'PRAGMA writable_schema = ON' }, 'FORBIDDEN', /Refused/);
      const copy = path.join(tmp, 'copy.db');
      await t.fails('query', { sql: `VACUUM INTO '${copy}'` }, 'FORBIDDEN', /Refused/);
      expect(existsSync(copy)).toBe(false);
    });

    it('transaction control', async () => {
      await t.fails('query', { sql: 'BEGIN' }, 'FORBIDDEN', /returns rows/);
      await t.fails('query', { sql: 'COMMIT' }, 'FORBIDDEN', /returns rows/);
    });

    it('SET TRANSACTION READ WRITE and set_config cannot lift read-only', async () => {
      // PostgreSQL refuses both itself; SQLite has neither and rejects the SQL.
      const expected = fx.backend === 'postgres' ? 'FORBIDDEN' : 'INVALID_PARAMS';
      const setTx = await t.fails('query', { sql: 'SET TRANSACTION READ WRITE' }, expected);
      const setCfg = await t.fails('query', { sql: "SELECT set_config('transaction_read_only', 'off', false)" }, expected);
      if (fx.backend === 'postgres') {
        expect(setTx.message).toMatch(/only runs a statement that returns rows/);
        // Refused before it reaches the database: query may not call set_config at all.
        expect(setCfg.message).toMatch(/may not change the role or session settings.*set_config/);
      }
      // A session default changed by one query is rolled back with it: the next write attempt still fails.
      await t.h.call('query', { sql: "SELECT set_config('default_transaction_read_only', 'off', false)" }).catch(() => undefined);
      await t.fails('query', { sql: 'DELETE FROM users RETURNING id' }, 'FORBIDDEN');
      await usersIntact();
    });

    it('server files and programs: pg_read_file, COPY … TO PROGRAM', async () => {
      const marker = path.join(tmp, 'pwned');
      const expected = fx.backend === 'postgres' ? 'FORBIDDEN' : 'INVALID_PARAMS';
      const read = await t.fails('query', { sql: "SELECT pg_read_file('/etc/hostname')" }, expected);
      const copy = await t.fails('query', { sql: `COPY (SELECT 1) TO PROGRAM 'touch ${marker}'` }, expected);
      if (fx.backend === 'postgres') {
        expect(read.message).toMatch(/permission denied for function pg_read_file/);
        expect(copy.message).toMatch(/only runs a statement that returns rows.*COPY/);
      }
      await t.fails('query', { sql: `COPY users TO '${marker}'` }, expected);
      expect(existsSync(marker)).toBe(false);
    });

    it('injected table names in insert and update', async () => {
      await t.fails('insert', { table: 'users"; DROP TABLE users; --', records: [{ name: 'x' }] }, 'NOT_FOUND', /No table or view named/);
      await t.fails('update', { table: 'users; DELETE FROM users', set: { name: 'x' }, where: { id: 1 } }, 'NOT_FOUND');
      await usersIntact();
    });

    it('injected column names in insert and update', async () => {
      await t.fails(
        'insert',
        { table: 'users', records: [{ "name\") VALUES ('x'); DROP TABLE users; --": 'x' }] },
        'INVALID_PARAMS',
        /has no column/,
      );
      await t.fails(
        'update',
        { table: 'users', set: { 'name" = \'x\', "age': 1 }, where: { id: 1 } },
        'INVALID_PARAMS',
        /set: table "users" has no column/,
      );
      await t.fails(
        'update',
        { table: 'users', set: { name: 'x' }, where: { '1 = 1 OR id': 1 } },
        'INVALID_PARAMS',
        /where: table "users" has no column/,
      );
      await usersIntact();
    });

    it('values are bound, never pasted', async () => {
      const nasty = `x'); DROP TABLE users; --`;
      const result = await t.call('insert', { table: 'users', records: [{ name: nasty }] });
      expect(await fx.rows(`SELECT name FROM users WHERE id = ${result.keys[0].id}`)).toEqual([{ name: nasty }]);
      expect((await t.call('query', { sql: `SELECT count(*) AS n FROM users WHERE name = ${fx.p(1)}`, params: [nasty] })).rows).toEqual([
        [1],
      ]);
    });
  });
});

describe.each(backends)('database tool limits on %s', (_name, makeFixture) => {
  let fx: DbFixture;
  beforeAll(async () => {
    fx = await makeFixture();
    await fx.reset();
  });
  afterAll(async () => fx?.close());

  it('stops a query that never ends at the statement time limit, and keeps working', async () => {
    // One connection / query process: the last query can only run if the endless one was really stopped.
    const t = await dbHarness(fx.env('app', { DB_STATEMENT_TIMEOUT_MS: '200', DB_POOL_MAX: '1' }));
    try {
      // The query never ends on its own, so only the limit can make this call return.
      await t.fails(
        'query',
        { sql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c' },
        'TIMEOUT',
        /200 ms limit/,
      );
      if (fx.backend === 'postgres') await t.fails('query', { sql: 'SELECT pg_sleep(10)' }, 'TIMEOUT', /DB_STATEMENT_TIMEOUT_MS/);
      expect((await t.call('query', { sql: 'SELECT 1 AS one' })).rows).toEqual([[1]]);
    } finally {
      await t.close();
    }
  });

  it('caps the result size in bytes', async () => {
    const t = await dbHarness(fx.env('app', { DB_MAX_RESULT_BYTES: '2048' }));
    try {
      const result = await t.call('query', {
        sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x, 'some padding text' AS pad FROM c",
      });
      expect(result).toMatchObject({ truncated: true, truncated_reason: 'max_bytes' });
      expect(JSON.stringify(result.rows).length).toBeLessThanOrEqual(2048);
      expect(result.row_count).toBeGreaterThan(10);
    } finally {
      await t.close();
    }
  });

  it('DB_READ_ONLY removes insert, update and delete', async () => {
    const t = await dbHarness(fx.env('app', { DB_READ_ONLY: 'true' }));
    try {
      expect(t.h.registry.list().map((e) => e.op.mcpName)).toEqual(['list_tables', 'describe_table', 'query']);
      const listed = await t.call('list_tables', {});
      expect(listed.read_only).toBe(true);
      expect(listed.tables.every((table: any) => !table.writable)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('DB_WRITE_TABLES limits which tables insert, update and delete may touch', async () => {
    const t = await dbHarness(fx.env('app', { DB_WRITE_TABLES: 'orders' }));
    try {
      await t.fails('insert', { table: 'users', records: [{ name: 'x' }] }, 'FORBIDDEN', /not writable/);
      await t.fails('delete', { table: 'users', where: { id: 3 } }, 'FORBIDDEN', /DB_WRITE_TABLES/);
      expect(await fx.rows('SELECT count(*) AS n FROM users')).toEqual([{ n: fx.backend === 'postgres' ? '3' : 3 }]);
      await t.fails('update', { table: 'users', set: { name: 'x' }, where: { id: 1 } }, 'FORBIDDEN', /DB_WRITE_TABLES/);
      expect((await t.call('insert', { table: 'orders', records: [{ user_id: 1, total_cents: 1 }] })).inserted).toBe(1);
      const users = (await t.call('list_tables', {})).tables.find((x: any) => x.name === 'users');
      expect(users).toEqual({ name: 'users', kind: 'table', readable: true, writable: false });
    } finally {
      await t.close();
      await fx.reset();
    }
  });
});

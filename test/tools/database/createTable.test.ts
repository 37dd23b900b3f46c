import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresFixture, postgresReachable, sqliteFixture, type DbFixture } from './fixtures.js';
import { dbHarness, type DbHarness } from './helpers.js';

const pgUp = await postgresReachable();
if (!pgUp)
  describe.skip('create_table on postgres: skipped, PostgreSQL is unreachable at 127.0.0.1:5432 (CI=true makes this a failure)', () => {});

const backends: [string, () => DbFixture | Promise<DbFixture>][] = [['sqlite', sqliteFixture]];
if (pgUp) backends.push(['postgres', postgresFixture]);

describe.each(backends)('create_table on %s (DB_ALLOW_DDL)', (_name, makeFixture) => {
  let fx: DbFixture;
  let t: DbHarness;
  let n = 0;
  const fresh = () => `t_${++n}_${process.pid}`;

  beforeAll(async () => {
    fx = await makeFixture();
    if (fx.backend === 'postgres') await fx.rows(`GRANT CREATE ON SCHEMA ${fx.schema} TO ${fx.user('app')}`);
    t = await dbHarness(fx.env('app', { DB_ALLOW_DDL: 'true', DB_CACHE_TTL_MS: '0' }));
  });
  afterAll(async () => {
    await t?.close();
    await fx?.close();
  });
  beforeEach(async () => fx.reset());

  it('is not offered without DB_ALLOW_DDL=true', async () => {
    const off = await dbHarness(fx.env('app'));
    try {
      expect(off.h.registry.list().map((e) => e.op.mcpName)).not.toContain('create_table');
      await expect(off.h.call('create_table', { table: 'x', columns: [{ name: 'a', type: 'text' }] })).rejects.toBeTruthy();
    } finally {
      await off.close();
    }
    expect(t.h.registry.byMcpName('create_table')?.op.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
  });

  it('creates a table the other operations can use at once, with keys, constraints and defaults', async () => {
    const table = fresh();
    const tricky = `it's "x" $d$ \\ ; DROP TABLE users; --`;
    expect(
      await t.call('create_table', {
        table,
        columns: [
          { name: 'id', type: 'integer', primary_key: true },
          { name: 'title', type: 'text', not_null: true, default: tricky },
          { name: 'code', type: 'text', unique: true },
          { name: 'done', type: 'boolean', default: false },
          { name: 'score', type: 'real', default: -1.5 },
          { name: 'n', type: 'bigint', default: 7 },
          { name: 'due', type: 'date' },
          { name: 'meta', type: 'json', default: '{"a":1}' },
          { name: 'raw', type: 'blob' },
        ],
      }),
    ).toEqual({ table, columns: 9 });
    const listed = (await t.call('list_tables', {})).tables.find((x: any) => x.name === table);
    expect(listed).toEqual({ name: table, kind: 'table', readable: true, writable: true });
    const described = await t.call('describe_table', { table });
    expect(described.primary_key).toEqual(['id']);
    expect(described.columns.find((c: any) => c.name === 'title').nullable).toBe(false);
    expect((await t.call('insert', { table, records: [{ code: 'a' }, { code: 'b', due: '2026-01-02' }] })).keys).toEqual([
      { id: 1 },
      { id: 2 },
    ]);
    const back = await t.call('query', { sql: `SELECT id, title, done, score, n, due FROM ${table} ORDER BY id` });
    const no = fx.backend === 'postgres' ? false : 0;
    expect(back.rows).toEqual([
      [1, tricky, no, -1.5, 7, null],
      [2, tricky, no, -1.5, 7, '2026-01-02'],
    ]);
    await t.fails('insert', { table, records: [{ code: 'a' }] }, 'CONFLICT');
    expect((await t.call('delete', { table, where: { code: 'b' } })).deleted).toBe(1);
  });

  it('a composite primary key', async () => {
    const table = fresh();
    await t.call('create_table', {
      table,
      columns: [
        { name: 'a', type: 'text', primary_key: true },
        { name: 'b', type: 'integer', primary_key: true },
      ],
    });
    expect((await t.call('describe_table', { table })).primary_key).toEqual(['a', 'b']);
    await t.call('insert', { table, records: [{ a: 'x', b: 1 }] });
    await t.fails('insert', { table, records: [{ a: 'x', b: 1 }] }, 'CONFLICT');
  });

  it('refuses anything but checked names, fixed types and literal defaults', async () => {
    const table = fresh();
    const col = { name: 'a', type: 'text' };
    const refused: [unknown, RegExp?][] = [
      [{ table: 'users; DROP TABLE users', columns: [col] }],
      [{ table: 'x"; DROP TABLE users; --', columns: [col] }],
      [{ table: 'sqlite_master', columns: [col] }, /reserved/],
      [{ table: 'pg_x', columns: [col] }, /reserved/],
      [{ table, columns: [{ name: 'a" TEXT); DROP TABLE users; --', type: 'text' }] }],
      [{ table, columns: [{ name: 'a', type: 'text); DROP TABLE users; --' }] }],
      [{ table, columns: [{ name: 'a', type: 'TEXT' }] }],
      [{ table, columns: [{ ...col, check: 'a <> 1' }] }],
      [{ table, columns: [{ ...col, default: { raw: "'x'); DROP TABLE users; --" } }] }],
      [{ table, columns: [{ name: 'a', type: 'integer', default: '1); DROP TABLE users; --' }] }, /needs an integer/],
      [{ table, columns: [{ name: 'a', type: 'integer', default: 1.5 }] }, /needs an integer/],
      [{ table, columns: [{ name: 'a', type: 'boolean', default: 1 }] }, /true or false/],
      [{ table, columns: [{ name: 'a', type: 'json', default: 'not json' }] }, /JSON/],
      [{ table, columns: [{ name: 'a', type: 'text', not_null: true, default: null }] }, /null/],
      [{ table, columns: [col, { name: 'A', type: 'integer' }] }, /twice/],
      [{ table, columns: [] }],
      [{ table, columns: [col], sql: 'CREATE TABLE x (a int)' }],
    ];
    for (const [params, message] of refused) {
      const error = await t.h.call('create_table', params).then(
        () => undefined,
        (e: { code?: string; message?: string }) => e,
      );
      expect({ params, code: error?.code }).toEqual({ params, code: 'INVALID_PARAMS' });
      if (message) expect(error?.message).toMatch(message);
    }
    await t.fails('create_table', { table: 'users', columns: [col] }, 'CONFLICT', /already exists/);
    await t.fails('create_table', { table: 'USERS', columns: [col] }, 'CONFLICT', /already exists/);
    expect(await fx.rows('SELECT count(*) AS n FROM users')).toEqual([{ n: fx.backend === 'postgres' ? '3' : 3 }]);
    expect((await t.call('list_tables', {})).tables.map((x: any) => x.name)).not.toContain(table);
  });

  it('respects the allow-lists: a new table must already be named in them', async () => {
    const listed = await dbHarness(fx.env('app', { DB_ALLOW_DDL: 'true', DB_WRITE_TABLES: 'orders,planned' }));
    try {
      await listed.fails('create_table', { table: 'unplanned', columns: [{ name: 'a', type: 'text' }] }, 'FORBIDDEN', /DB_WRITE_TABLES/);
      expect(await listed.call('create_table', { table: 'planned', columns: [{ name: 'a', type: 'text' }] })).toEqual({
        table: 'planned',
        columns: 1,
      });
    } finally {
      await listed.close();
    }
  });
});

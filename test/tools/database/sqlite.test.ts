import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteFixture, type DbFixture } from './fixtures.js';
import { dbHarness } from './helpers.js';

describe('database tool, SQLite specifics', () => {
  let fx: DbFixture;
  beforeAll(async () => {
    fx = sqliteFixture();
    await fx.reset();
  });
  afterAll(async () => fx?.close());

  it('creates its database file in DATA_DIR on first start', async () => {
    const t = await dbHarness({});
    try {
      expect(existsSync(path.join(t.h.dataDir, 'database.sqlite'))).toBe(true);
      expect(await t.call('list_tables', {})).toMatchObject({ dialect: 'sqlite', tables: [] });
      await t.h.module.ready!();
    } finally {
      await t.close();
    }
  });

  it('returns values as exact JSON: bytes as base64, big integers as text', async () => {
    const t = await dbHarness(fx.env());
    try {
      const result = await t.call('query', {
        sql: "SELECT x'00ff' AS b, 9007199254740993 AS big, 42 AS small, 1.5 AS r, NULL AS n, ? AS flag",
        params: [true],
      });
      expect(result.rows).toEqual([['AP8=', '9007199254740993', 42, 1.5, null, 1]]);
      expect(result.columns.map((c: any) => c.type)).toEqual(['blob', 'integer', 'integer', 'real', 'unknown', 'integer']);
    } finally {
      await t.close();
    }
  });

  it('queues queries beyond DB_POOL_MAX and replaces a process killed at its time limit', async () => {
    const t = await dbHarness(fx.env('app', { DB_POOL_MAX: '1', DB_STATEMENT_TIMEOUT_MS: '300' }));
    try {
      const endless = t.fails(
        'query',
        { sql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c' },
        'TIMEOUT',
      );
      const waiting = t.call('query', { sql: 'SELECT count(*) FROM users' });
      await endless;
      expect((await waiting).rows).toEqual([[3]]);
    } finally {
      await t.close();
    }
  });

  it('stops the statement when the caller cancels', async () => {
    // One query process: the follow-up query can only run if the cancelled statement was really stopped.
    const t = await dbHarness(fx.env('app', { DB_POOL_MAX: '1' }));
    try {
      // Warm the one query process so the endless statement starts at once.
      await t.call('query', { sql: 'SELECT 0' });
      const controller = new AbortController();
      const running = t.h.call(
        'query',
        { sql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c' },
        { signal: controller.signal },
      );
      setTimeout(() => controller.abort(), 300);
      await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
      expect((await t.call('query', { sql: 'SELECT 1' })).rows).toEqual([[1]]);
    } finally {
      await t.close();
    }
  });

  describe('writes run in a query process, with the statement time limit', () => {
    // An insert that never ends: a trigger an operator wrote badly.
    const withEndlessTrigger = async (fn: () => Promise<void>) => {
      const admin = new Database(fx.env().DATABASE_URL!.slice('sqlite:'.length));
      admin.exec(`CREATE TRIGGER endless AFTER INSERT ON events BEGIN
        SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c); END`);
      try {
        await fn();
      } finally {
        admin.exec('DROP TRIGGER endless; DELETE FROM events');
        admin.close();
      }
    };
    const events = async () => (await fx.rows('SELECT count(*) AS n FROM events'))[0]!.n;

    it('a write that never ends is stopped at DB_STATEMENT_TIMEOUT_MS and rolled back; writes go on', async () => {
      const t = await dbHarness(fx.env('app', { DB_STATEMENT_TIMEOUT_MS: '300', DB_POOL_MAX: '1' }));
      try {
        await withEndlessTrigger(async () => {
          await t.fails('insert', { table: 'events', records: [{ kind: 'x' }] }, 'TIMEOUT', /300 ms limit/);
          expect(await events()).toBe(0);
          expect((await t.call('update', { table: 'users', set: { age: 37 }, where: { id: 1 } })).updated).toBe(1);
        });
      } finally {
        await t.close();
        await fx.reset();
      }
    });

    it('the server answers other calls while a write runs, and a cancelled write is rolled back', async () => {
      const t = await dbHarness(fx.env('app', { DB_STATEMENT_TIMEOUT_MS: '60000', DB_POOL_MAX: '2' }));
      try {
        await withEndlessTrigger(async () => {
          const controller = new AbortController();
          let settled = false;
          const writing = t.h.call('insert', { table: 'events', records: [{ kind: 'x' }] }, { signal: controller.signal });
          writing.then(
            () => (settled = true),
            () => (settled = true),
          );
          // On the server's own connection this write would hold the event loop until it ended: never.
          expect((await t.call('query', { sql: 'SELECT count(*) FROM users' })).rows).toEqual([[3]]);
          expect((await t.call('list_tables', {})).tables.length).toBeGreaterThan(0);
          expect(settled).toBe(false);
          controller.abort();
          await expect(writing).rejects.toMatchObject({ code: 'CANCELLED' });
          expect(await events()).toBe(0);
        });
      } finally {
        await t.close();
      }
    });
  });

  describe('DB_READ_TABLES, enforced from the compiled statement', () => {
    const env = () => fx.env('app', { DB_READ_TABLES: 'users,orders,big_spenders' });

    it('shows and describes only the listed tables', async () => {
      const t = await dbHarness(env());
      try {
        const names = (await t.call('list_tables', {})).tables.map((x: any) => x.name).sort();
        expect(names).toEqual(['big_spenders', 'orders', 'users']);
        await t.fails('describe_table', { table: 'secrets' }, 'NOT_FOUND');
      } finally {
        await t.close();
      }
    });

    it('reads listed tables, through views and indexes too', async () => {
      const t = await dbHarness(env());
      try {
        expect((await t.call('query', { sql: 'SELECT name FROM users WHERE email = ?', params: ['ada@example.com'] })).rows).toEqual([
          ['Ada'],
        ]);
        expect((await t.call('query', { sql: 'SELECT count(*) FROM big_spenders' })).rows).toEqual([[2]]);
      } finally {
        await t.close();
      }
    });

    it('refuses every route to an unlisted table', async () => {
      const t = await dbHarness(env());
      try {
        for (const sql of [
          'SELECT * FROM secrets',
          'SELECT * FROM SECRETS',
          'SELECT * FROM secret_view',
          'SELECT name, (SELECT value FROM secrets LIMIT 1) FROM users',
          'SELECT * FROM users WHERE id IN (SELECT id FROM secrets)',
        ]) {
          await t.fails('query', { sql }, 'FORBIDDEN', /reads table "secrets", which is not in this server's DB_READ_TABLES/);
        }
        await t.fails('query', { sql: 'SELECT sql FROM sqlite_schema' }, 'FORBIDDEN', /sqlite_schema/);
        await t.fails('query', { sql: "SELECT * FROM pragma_table_info('secrets')" }, 'FORBIDDEN', /table-valued functions/);
      } finally {
        await t.close();
      }
    });
  });
});

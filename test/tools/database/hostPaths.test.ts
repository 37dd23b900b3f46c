import { realpathSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASK, pathMasker } from '../../../src/tools/database/hostPaths.js';
import { sqliteFixture, type DbFixture } from './fixtures.js';
import { dbHarness, type DbHarness } from './helpers.js';

/** Security: issue 18 item 5. No reply of the database tool carries the database file's path or DATA_DIR. */
describe('database tool replies never contain a host path', () => {
  let t: DbHarness;
  let secretPaths: string[];
  let file: string;
  const replies: string[] = [];
  const reply = async (name: string, params: unknown) => {
    const text = await t.h.call(name, params).then(
      (r) => JSON.stringify(r),
      (e: Error & { code?: string }) => JSON.stringify({ code: e.code, message: e.message }),
    );
    replies.push(text);
    return text;
  };

  beforeAll(async () => {
    // The default database: <DATA_DIR>/database.sqlite.
    t = await dbHarness({ DB_CACHE_TTL_MS: '0' });
    file = path.join(t.h.dataDir, 'database.sqlite');
    secretPaths = [t.h.dataDir, realpathSync(t.h.dataDir)];
    const admin = new Database(file);
    admin.exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
      CREATE VIEW leak AS SELECT file FROM pragma_database_list;
      CREATE VIEW innocent AS SELECT upper('ok') AS v;`);
    admin.prepare('INSERT INTO notes (body) VALUES (?), (?)').run(file, `backup at ${t.h.dataDir}/old.sqlite, see /database docs`);
    admin.close();
  });
  afterAll(async () => t?.close());

  it('refuses database_list in every spelling, before it runs', async () => {
    for (const sql of [
      'PRAGMA database_list',
      'pragma main.DATABASE_LIST',
      'PRAGMA "database_list"',
      'SELECT file FROM pragma_database_list',
      'SELECT hex(file), substr(file, 2) FROM "PRAGMA_DATABASE_LIST"',
      'SELECT * FROM [pragma_database_list] AS x',
      'SELECT * FROM main.`pragma_database_list`',
      "SELECT length(file) FROM pragma_database_list WHERE file LIKE '/%'",
    ]) {
      const text = await reply('query', { sql });
      expect(JSON.parse(text), sql).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('database_list') });
    }
  });

  it('a view in the file cannot reach it either (trusted_schema is off); harmless views still work', async () => {
    const text = await reply('query', { sql: 'SELECT * FROM leak' });
    expect(JSON.parse(text).code).toBe('INVALID_PARAMS');
    expect(JSON.parse(await reply('query', { sql: 'SELECT v FROM innocent' })).rows).toEqual([['OK']]);
  });

  it('masks paths that reach a reply any other way: stored values, names, error messages', async () => {
    const rows = JSON.parse(await reply('query', { sql: 'SELECT body FROM notes ORDER BY id' })).rows;
    expect(rows).toEqual([[MASK], [`backup at ${MASK}/old.sqlite, see /database docs`]]);
    const named = JSON.parse(await reply('query', { sql: `SELECT 1 AS "${file}"` }));
    expect(named.columns[0].name).toBe(MASK);
    const missing = JSON.parse(await reply('query', { sql: `SELECT * FROM "${t.h.dataDir}/nope"` }));
    expect(missing).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining(`no such table: ${MASK}/nope`) });
    const written = JSON.parse(await reply('insert', { table: `${file}x`, records: [{}] }));
    expect(written.code).toBe('NOT_FOUND');
    await reply('list_tables', {});
    await reply('describe_table', { table: 'notes' });
  });

  it('(every reply above, checked for the raw paths)', () => {
    expect(replies.length).toBeGreaterThan(10);
    for (const text of replies) for (const p of secretPaths) expect(text).not.toContain(p);
  });
});

describe('a database named in DATABASE_URL', () => {
  let fx: DbFixture;
  beforeAll(async () => {
    fx = sqliteFixture();
    await fx.reset();
  });
  afterAll(async () => fx?.close());

  it('its path is masked as well', async () => {
    const t = await dbHarness(fx.env('app', { DB_CACHE_TTL_MS: '0' }));
    try {
      const file = fx.env().DATABASE_URL!.slice('sqlite:'.length);
      await t.fails('query', { sql: 'SELECT * FROM pragma_database_list' }, 'FORBIDDEN', /database_list/);
      expect((await t.call('query', { sql: 'SELECT ? AS p', params: [`${file}-wal`] })).rows).toEqual([[`${MASK}-wal`]]);
    } finally {
      await t.close();
    }
  });
});

describe('pathMasker', () => {
  it('masks a path where it ends, not a longer name that starts the same', () => {
    const mask = pathMasker(['/data']);
    expect(mask({ a: ['/data', '/data/x', 'at /data.', "'/data'", '/database', '/data_old', 'x/data', '/srv/data/y'] })).toEqual({
      a: [MASK, `${MASK}/x`, `at ${MASK}.`, `'${MASK}'`, '/database', '/data_old', 'x/data', '/srv/data/y'],
    });
    expect(pathMasker(['/'])('/etc')).toBe('/etc');
  });
});

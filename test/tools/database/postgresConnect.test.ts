import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresFixture, postgresReachable, type DbFixture } from './fixtures.js';
import { dbHarness } from './helpers.js';

// Its own file: pg warns about a query issued on a busy connection once per process, so an earlier
// test in the same worker would hide it.
const pgUp = await postgresReachable();
if (!pgUp)
  describe.skip('postgres new connections: skipped, PostgreSQL is unreachable at 127.0.0.1:5432 (CI=true turns this into a failure)', () => {});

describe.runIf(pgUp)('PostgreSQL: a new connection is checked before it is lent', () => {
  let fx: DbFixture;
  beforeAll(async () => {
    fx = await postgresFixture();
    await fx.reset();
  });
  afterAll(async () => fx?.close());

  it('never runs a caller statement on a connection still busy with its role check', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const t = await dbHarness(fx.env('limited'));
    try {
      // A cold pool and every kind of operation at once: each takes a connection fresh from connect.
      const answers = await Promise.all([
        t.call('list_tables', {}),
        t.call('describe_table', { table: 'users' }),
        t.call('query', { sql: 'SELECT count(*) FROM users' }),
        t.call('update', { table: 'users', set: { age: 30 }, where: { id: 1 } }),
        t.call('query', { sql: 'SELECT id FROM users ORDER BY id' }),
      ]);
      expect(answers).toHaveLength(5);
      expect(answers[2].rows).toEqual([[3]]);
      // Let any warning queued by those statements be emitted.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      await t.close();
      process.off('warning', onWarning);
    }
    expect(warnings.filter((message) => /already executing a query/.test(message))).toEqual([]);
  });
});

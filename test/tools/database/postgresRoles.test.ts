import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresReachable } from './fixtures.js';
import { dbHarness, type DbHarness } from './helpers.js';

/**
 * Security: every shape of "a role that can become something dangerous" from issue 18 item 2,
 * built for real against the shared PostgreSQL. Free-form query must refuse each; the structured
 * operations keep working.
 */
const pgUp = await postgresReachable();
if (!pgUp)
  describe.skip('postgres role checks: skipped, PostgreSQL is unreachable at 127.0.0.1:5432 (CI=true makes this a failure)', () => {});

const HOST = '127.0.0.1:5432';

describe.runIf(pgUp)('PostgreSQL: free-form query refuses every way to become a privileged role', () => {
  const id = `mcp_rl_${process.pid}_${randomBytes(3).toString('hex')}`;
  const r = (name: string) => `${id}_${name}`;
  const admin = new pg.Client(`postgres://postgres@${HOST}/test`);
  const roles: string[] = [];
  const harnesses: DbHarness[] = [];
  const url = (role: string, db = 'test', extra = '') =>
    `postgres://${role}@${HOST}/${db}?options=${encodeURIComponent(`-c search_path=${id}${extra}`)}`;
  const harness = async (role: string, env: Record<string, string> = {}, db = 'test') => {
    const t = await dbHarness({ DATABASE_URL: url(role, db), DB_CACHE_TTL_MS: '0', ...env });
    harnesses.push(t);
    return t;
  };
  const createRole = async (name: string, options: string) => {
    await admin.query(`CREATE ROLE ${name} ${options}`);
    roles.push(name);
  };
  const loginRole = async (name: string, options = '') => {
    await createRole(name, `LOGIN ${options}`);
    await admin.query(`GRANT USAGE ON SCHEMA ${id} TO ${name}; GRANT SELECT, INSERT, UPDATE ON ${id}.users TO ${name}`);
  };
  const disabled = /query is disabled: the server refuses to run free-form SQL/;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${id};
      CREATE TABLE ${id}.users (id integer PRIMARY KEY, name text);
      INSERT INTO ${id}.users VALUES (1, 'Ada');
      CREATE TABLE ${id}.secrets (value text);
      INSERT INTO ${id}.secrets VALUES ('hunter2');`);
    await createRole(r('su'), 'SUPERUSER NOLOGIN');
  });

  afterAll(async () => {
    for (const t of harnesses) await t.close().catch(() => {});
    await admin.query(`DROP SCHEMA IF EXISTS ${id} CASCADE`).catch(() => {});
    for (const role of roles.reverse()) await admin.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => {});
    await admin.end();
  });

  it('a NOINHERIT member of a superuser role: query refused, structured operations work', async () => {
    await loginRole(r('noinh'), 'NOINHERIT');
    await admin.query(`GRANT ${r('su')} TO ${r('noinh')}`);
    const t = await harness(r('noinh'));
    await t.h.module.ready!();
    const attack = `SELECT set_config('role', '${r('su')}', true), query_to_xml('SELECT pg_read_file(''/etc/hostname'')', true, true, '')`;
    await t.fails('query', { sql: attack }, 'FORBIDDEN', /set_config/);
    const error = await t.fails('query', { sql: 'SELECT 1' }, 'FORBIDDEN', disabled);
    expect(error.message).toContain(`can become superuser "${r('su')}"`);
    expect((await t.call('list_tables', {})).tables.map((x: any) => x.name)).toContain('users');
    expect((await t.call('update', { table: 'users', set: { name: 'Ada L.' }, where: { id: 1 } })).updated).toBe(1);
  });

  it('a member of a superuser role through a middle role', async () => {
    await createRole(r('mid'), 'NOLOGIN NOINHERIT');
    await admin.query(`GRANT ${r('su')} TO ${r('mid')}`);
    await loginRole(r('via'));
    await admin.query(`GRANT ${r('mid')} TO ${r('via')}`);
    const t = await harness(r('via'));
    const error = await t.fails('query', { sql: 'SELECT 1' }, 'FORBIDDEN', disabled);
    expect(error.message).toContain(`can become superuser "${r('su')}"`);
  });

  it('a member (through a NOINHERIT middle role) of pg_read_server_files', async () => {
    await createRole(r('files_mid'), 'NOLOGIN');
    await admin.query(`GRANT pg_read_server_files TO ${r('files_mid')}`);
    await loginRole(r('files'), 'NOINHERIT');
    await admin.query(`GRANT ${r('files_mid')} TO ${r('files')}`);
    const t = await harness(r('files'));
    await t.fails('query', { sql: "SELECT pg_read_file('/etc/hostname')" }, 'FORBIDDEN', /member of pg_read_server_files/);
  });

  it('a role given EXECUTE on a server-file function, directly or through a NOINHERIT middle role', async () => {
    await createRole(r('reads_mid'), 'NOLOGIN');
    await admin.query(`GRANT EXECUTE ON FUNCTION pg_read_file(text) TO ${r('reads_mid')}`);
    await loginRole(r('reads'), 'NOINHERIT');
    await admin.query(`GRANT ${r('reads_mid')} TO ${r('reads')}`);
    const t = await harness(r('reads'));
    await t.fails('query', { sql: "SELECT pg_read_file('/etc/hostname')" }, 'FORBIDDEN', /can execute pg_read_file\(\)/);
    await admin.query(`REVOKE EXECUTE ON FUNCTION pg_read_file(text) FROM ${r('reads_mid')}`);
  });

  it('a superuser login that switches role in DATABASE_URL (-c role=…) could RESET ROLE', async () => {
    await loginRole(r('plain'));
    const t = await dbHarness({ DATABASE_URL: url('postgres', 'test', ` -c role=${r('plain')}`), DB_CACHE_TTL_MS: '0' });
    harnesses.push(t);
    await t.fails('query', { sql: 'SELECT current_user' }, 'FORBIDDEN', /session user "postgres" is a superuser/);
  });

  it('a membership granted after startup is caught on the next connection', async () => {
    await loginRole(r('later'), 'NOINHERIT');
    const t = await harness(r('later'), { DB_POOL_MAX: '1' });
    expect((await t.call('query', { sql: 'SELECT count(*) FROM users' })).rows).toEqual([[1]]);
    await admin.query(`GRANT ${r('su')} TO ${r('later')}`);
    // The pool's connection goes away (as after a restart or idle timeout); the next one is checked.
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [r('later')]);
    await expect
      .poll(async () => (await t.h.call('query', { sql: 'SELECT 2' }).catch((e: Error) => e)) as unknown, { timeout: 20_000 })
      .toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining(`can become superuser "${r('su')}"`) });
  });

  describe('role changes inside a query, for a role that may switch to a harmless one', () => {
    let t: DbHarness;
    beforeAll(async () => {
      await createRole(r('reader'), 'NOLOGIN');
      await admin.query(`GRANT USAGE ON SCHEMA ${id} TO ${r('reader')}; GRANT SELECT ON ${id}.secrets TO ${r('reader')}`);
      await loginRole(r('switcher'), 'NOINHERIT');
      await admin.query(`GRANT ${r('reader')} TO ${r('switcher')}`);
      // A function the operator created that switches role: no SQL text shows it.
      await admin.query(`CREATE FUNCTION ${id}.become_reader() RETURNS text LANGUAGE plpgsql AS $$
        BEGIN PERFORM set_config('role', '${r('reader')}', true); RETURN current_user; END $$`);
      t = await harness(r('switcher'), { DB_POOL_MAX: '1' });
    });
    const reader = () => r('reader');

    it('is refused in every spelling the text can carry', async () => {
      const shapes = [
        `SELECT set_config('role', '${reader()}', true)`,
        `SELECT SET_CONFIG ( 'ROLE' , '${reader()}' , true )`,
        `SELECT "set_config"('Role', '${reader()}', true)`,
        `SELECT pg_catalog . set_config('session_authorization', 'postgres', false)`,
        `SELECT U&"set\\005Fconfig"('role', '${reader()}', true)`,
        `SELECT U&"set!005Fconfig" UESCAPE '!' ('role', '${reader()}', true)`,
        `SELECT set_config($1, $2, true)`,
        `SELECT /* hide */ set_config(E'r\\x6fle', '${reader()}', true)`,
        `SELECT query_to_xml('SELECT set_config(''role'', ''${reader()}'', true)', true, true, '')`,
        `SELECT query_to_xml(E'SELECT set\\x5fconfig(''role'', ''${reader()}'', true)', true, true, '')`,
        `SELECT query_to_xml($q$SET /* x /* nested */ */ ROLE ${reader()}$q$, true, true, '')`,
        `SELECT query_to_xml('RESET ROLE', true, true, '')`,
        `SELECT query_to_xml('SET SESSION AUTHORIZATION postgres', true, true, '')`,
        `SELECT query_to_xml('UPDATE pg_catalog.pg_settings SET setting = ''${reader()}'' WHERE name = ''role''', true, true, '')`,
        `SET ROLE ${reader()}`,
        `DO $$ BEGIN PERFORM set_config('role', '${reader()}', true); END $$`,
      ];
      for (const sql of shapes) {
        const error = await t.h.call('query', { sql, params: sql.includes('$1') ? ['role', reader()] : [] }).then(
          () => undefined,
          (e: { code?: string; message?: string }) => e,
        );
        expect({ sql, code: error?.code, message: error?.message }).toMatchObject({
          sql,
          code: 'FORBIDDEN',
          message: expect.stringMatching(/may not change the role/),
        });
      }
    });

    it('a switch the text does not show is caught after the statement: no rows, connection discarded', async () => {
      const pid = async () => (await t.call('query', { sql: 'SELECT pg_backend_pid()' })).rows[0][0];
      const before = await pid();
      await t.fails(
        'query',
        { sql: `SELECT become_reader() AS who, query_to_xml('SELECT value FROM secrets', true, true, '') AS loot` },
        'FORBIDDEN',
        new RegExp(`switched to role "${reader()}"; its result is withheld`),
      );
      // Built at run time, so no reading of the text can see it.
      const hidden = Buffer.from(`SELECT set_config('role', '${reader()}', true)`).toString('base64');
      await t.fails(
        'query',
        { sql: `SELECT query_to_xml(convert_from(decode('${hidden}', 'base64'), 'UTF8'), true, true, '')` },
        'FORBIDDEN',
        /its result is withheld/,
      );
      const after = await pid();
      expect(after).not.toBe(before);
      expect((await t.call('query', { sql: 'SELECT current_user::text' })).rows).toEqual([[r('switcher')]]);
    });

    it('with DB_READ_TABLES, tables of roles it can switch to count as readable', async () => {
      const listed = await harness(r('switcher'), { DB_READ_TABLES: 'users' });
      const error = await listed.fails('query', { sql: 'SELECT 1' }, 'FORBIDDEN', /DB_READ_TABLES is set/);
      expect(error.message).toContain('can also read secrets');
    });
  });

  it('a role that can execute dblink functions (skipped when dblink is not installable)', async (ctx) => {
    const { rows } = await admin.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'dblink'`);
    if (rows.length === 0) return ctx.skip('the dblink extension is not available on this PostgreSQL');
    const db = `${id}_dbl`;
    await admin.query(`CREATE DATABASE ${db}`);
    const other = new pg.Client(`postgres://postgres@${HOST}/${db}`);
    try {
      await other.connect();
      await loginRole(r('remote'));
      await other.query(`CREATE EXTENSION dblink; CREATE SCHEMA ${id}; CREATE TABLE ${id}.users (id integer PRIMARY KEY, name text);
        GRANT USAGE ON SCHEMA ${id} TO ${r('remote')}; GRANT SELECT, INSERT, UPDATE ON ${id}.users TO ${r('remote')}`);
      const t = await harness(r('remote'), {}, db);
      await t.fails(
        'query',
        { sql: `SELECT public.dblink_exec('dbname=${db}', 'CREATE TABLE ${id}.pwned (x int)')` },
        'FORBIDDEN',
        /can execute dblink functions/,
      );
      expect((await t.call('list_tables', {})).tables.map((x: any) => x.name)).toEqual(['users']);
      // Once the operator revokes EXECUTE (as docs/tools/database.md says), query works.
      await other.query('REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC');
      const revoked = await harness(r('remote'), {}, db);
      expect((await revoked.call('query', { sql: 'SELECT count(*) FROM users' })).rows).toEqual([[0]]);
      await revoked.fails('query', { sql: `SELECT public.dblink_exec('dbname=${db}', 'SELECT 1')` }, 'FORBIDDEN', /permission denied/);
      for (const h of [t, revoked]) await h.close();
    } finally {
      await other.end().catch(() => {});
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    }
  });
});

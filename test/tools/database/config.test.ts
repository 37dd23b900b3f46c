import { describe, expect, it } from 'vitest';
import { parseDatabaseConfig } from '../../../src/config/database.js';
import { ConfigError } from '../../../src/config/env.js';

describe('database configuration', () => {
  it('defaults to SQLite in DATA_DIR with safe limits', () => {
    expect(parseDatabaseConfig({})).toMatchObject({
      backend: 'sqlite',
      readOnly: false,
      maxRows: 500,
      statementTimeoutMs: 10_000,
      allowPrivilegedRole: false,
      allowDdl: false,
    });
  });

  it('DB_ALLOW_DDL is opt-in and contradicts DB_READ_ONLY', () => {
    expect(parseDatabaseConfig({ DB_ALLOW_DDL: 'true' }).allowDdl).toBe(true);
    expect(() => parseDatabaseConfig({ DB_ALLOW_DDL: 'yes please' })).toThrow(/DB_ALLOW_DDL/);
    expect(() => parseDatabaseConfig({ DB_ALLOW_DDL: 'true', DB_READ_ONLY: 'true' })).toThrow(/DB_ALLOW_DDL must be false.*DB_READ_ONLY/);
    expect(parseDatabaseConfig({ DB_ALLOW_DDL: 'false', DB_READ_ONLY: 'true' }).readOnly).toBe(true);
  });

  it('reads sqlite: and postgres: URLs', () => {
    expect(parseDatabaseConfig({ DATABASE_URL: 'sqlite:./data/app.db' })).toMatchObject({ backend: 'sqlite', sqlitePath: './data/app.db' });
    expect(parseDatabaseConfig({ DATABASE_URL: 'sqlite:///var/lib/app.db' })).toMatchObject({ sqlitePath: '/var/lib/app.db' });
    expect(parseDatabaseConfig({ DATABASE_URL: 'postgresql://app@db.internal:5432/app' })).toMatchObject({ backend: 'postgres' });
  });

  it.each(['mysql://root:s3cret@db/app', 'sqlite::memory:', 'sqlite:', 'postgres://user:s3cret@[bad/x', 'db.sqlite'])(
    'rejects DATABASE_URL=%s without echoing secrets',
    (value) => {
      let error: unknown;
      try {
        parseDatabaseConfig({ DATABASE_URL: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe('DATABASE_URL');
      expect((error as Error).message).not.toContain('s3cret');
    },
  );

  it('checks the numeric limits', () => {
    expect(() => parseDatabaseConfig({ DB_MAX_ROWS: '0' })).toThrow(/DB_MAX_ROWS/);
    expect(() => parseDatabaseConfig({ DB_STATEMENT_TIMEOUT_MS: 'soon' })).toThrow(/DB_STATEMENT_TIMEOUT_MS/);
  });
});

import pg from 'pg';
import { nowSec, type OAuthStore, type StoredModel } from './store.js';

/**
 * The store in PostgreSQL (OAUTH_STORE=postgres, OAUTH_DATABASE_URL): like the SQLite file, but
 * shared by every replica. One table of models, one of secrets; expired rows are skipped on read
 * and swept now and then.
 */
export class PostgresOAuthStore implements OAuthStore {
  private readonly pool: pg.Pool;
  private ready?: Promise<void>;
  private writes = 0;

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 5000 });
    // An idle client's error (the server restarting) must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  private init(): Promise<void> {
    this.ready ??= this.pool
      .query(
        `CREATE TABLE IF NOT EXISTS oauth_models (
           model TEXT NOT NULL, id TEXT NOT NULL, payload JSONB NOT NULL,
           grant_id TEXT, uid TEXT, user_code TEXT, expires_at BIGINT,
           PRIMARY KEY (model, id));
         CREATE INDEX IF NOT EXISTS oauth_models_grant ON oauth_models (grant_id);
         CREATE INDEX IF NOT EXISTS oauth_models_uid ON oauth_models (uid);
         CREATE TABLE IF NOT EXISTS oauth_secrets (id TEXT PRIMARY KEY, value TEXT NOT NULL);`,
      )
      .then(() => undefined);
    return this.ready;
  }

  private async query<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]> {
    await this.init();
    return (await this.pool.query<T>(sql, params)).rows;
  }

  async upsert(model: string, id: string, payload: Record<string, unknown>, expiresInSec: number | undefined): Promise<void> {
    await this.query(
      `INSERT INTO oauth_models (model, id, payload, grant_id, uid, user_code, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
         user_code = excluded.user_code, expires_at = excluded.expires_at`,
      [
        model,
        id,
        JSON.stringify(payload),
        str(payload.grantId),
        str(payload.uid),
        str(payload.userCode),
        expiresInSec === undefined ? null : nowSec() + expiresInSec,
      ],
    );
    if (++this.writes % 200 === 0)
      await this.query('DELETE FROM oauth_models WHERE expires_at IS NOT NULL AND expires_at <= $1', [nowSec()]);
  }

  private async one(where: string, params: unknown[]): Promise<Record<string, unknown> | undefined> {
    const rows = await this.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM oauth_models WHERE ${where} AND (expires_at IS NULL OR expires_at > $${params.length + 1}) LIMIT 1`,
      [...params, nowSec()],
    );
    return rows[0]?.payload;
  }

  find(model: string, id: string) {
    return this.one('model = $1 AND id = $2', [model, id]);
  }

  findByUid(model: string, uid: string) {
    return this.one('model = $1 AND uid = $2', [model, uid]);
  }

  findByUserCode(model: string, userCode: string) {
    return this.one('model = $1 AND user_code = $2', [model, userCode]);
  }

  async consume(model: string, id: string): Promise<void> {
    await this.query(
      "UPDATE oauth_models SET payload = jsonb_set(payload, '{consumed}', to_jsonb($1::bigint)) WHERE model = $2 AND id = $3",
      [nowSec(), model, id],
    );
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.query('DELETE FROM oauth_models WHERE model = $1 AND id = $2', [model, id]);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.query('DELETE FROM oauth_models WHERE grant_id = $1', [grantId]);
  }

  async list(model: string): Promise<StoredModel[]> {
    const rows = await this.query<{ id: string; payload: Record<string, unknown>; expires_at: string | null }>(
      'SELECT id, payload, expires_at FROM oauth_models WHERE model = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY id',
      [model, nowSec()],
    );
    return rows.map((r) => ({ model, id: r.id, payload: r.payload, expiresAt: r.expires_at === null ? undefined : Number(r.expires_at) }));
  }

  async count(model: string): Promise<number> {
    const rows = await this.query<{ n: string }>(
      'SELECT count(*) AS n FROM oauth_models WHERE model = $1 AND (expires_at IS NULL OR expires_at > $2)',
      [model, nowSec()],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async getOrCreateSecret(id: string, create: () => Promise<string>): Promise<string> {
    const existing = await this.query<{ value: string }>('SELECT value FROM oauth_secrets WHERE id = $1', [id]);
    if (existing[0]) return existing[0].value;
    await this.query('INSERT INTO oauth_secrets (id, value) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, await create()]);
    return (await this.query<{ value: string }>('SELECT value FROM oauth_secrets WHERE id = $1', [id]))[0]!.value;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

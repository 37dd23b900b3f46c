import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { nowSec, type OAuthStore, type StoredModel } from './store.js';

export const OAUTH_DB_FILE = 'oauth.sqlite';

/**
 * The default store: one SQLite file in DATA_DIR, so clients, grants, refresh tokens and the
 * signing keys survive a restart. Writes are single statements (atomic); expired rows are
 * skipped on read and swept now and then.
 */
export class SqliteOAuthStore implements OAuthStore {
  private readonly db: Database.Database;
  private writes = 0;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, OAUTH_DB_FILE);
    this.db = new Database(file);
    // Security: the file holds client secrets, refresh tokens and the signing keys.
    chmodSync(file, 0o600);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS oauth_models (
        model TEXT NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL,
        grant_id TEXT, uid TEXT, user_code TEXT, expires_at INTEGER,
        PRIMARY KEY (model, id));
      CREATE INDEX IF NOT EXISTS oauth_models_grant ON oauth_models (grant_id);
      CREATE INDEX IF NOT EXISTS oauth_models_uid ON oauth_models (uid);
      CREATE TABLE IF NOT EXISTS oauth_secrets (id TEXT PRIMARY KEY, value TEXT NOT NULL);`);
  }

  private live(row: { payload: string } | undefined): Record<string, unknown> | undefined {
    return row ? (JSON.parse(row.payload) as Record<string, unknown>) : undefined;
  }

  async upsert(model: string, id: string, payload: Record<string, unknown>, expiresInSec: number | undefined): Promise<void> {
    const expiresAt = expiresInSec === undefined ? null : nowSec() + expiresInSec;
    this.db
      .prepare(
        `INSERT INTO oauth_models (model, id, payload, grant_id, uid, user_code, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
           user_code = excluded.user_code, expires_at = excluded.expires_at`,
      )
      .run(model, id, JSON.stringify(payload), str(payload.grantId), str(payload.uid), str(payload.userCode), expiresAt);
    if (++this.writes % 200 === 0) this.sweep();
  }

  async find(model: string, id: string) {
    return this.live(
      this.db
        .prepare('SELECT payload FROM oauth_models WHERE model = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)')
        .get(model, id, nowSec()) as { payload: string } | undefined,
    );
  }

  async findByUid(model: string, uid: string) {
    return this.live(
      this.db
        .prepare('SELECT payload FROM oauth_models WHERE model = ? AND uid = ? AND (expires_at IS NULL OR expires_at > ?)')
        .get(model, uid, nowSec()) as { payload: string } | undefined,
    );
  }

  async findByUserCode(model: string, userCode: string) {
    return this.live(
      this.db
        .prepare('SELECT payload FROM oauth_models WHERE model = ? AND user_code = ? AND (expires_at IS NULL OR expires_at > ?)')
        .get(model, userCode, nowSec()) as { payload: string } | undefined,
    );
  }

  async consume(model: string, id: string): Promise<void> {
    this.db
      .prepare("UPDATE oauth_models SET payload = json_set(payload, '$.consumed', ?) WHERE model = ? AND id = ?")
      .run(nowSec(), model, id);
  }

  async destroy(model: string, id: string): Promise<void> {
    this.db.prepare('DELETE FROM oauth_models WHERE model = ? AND id = ?').run(model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.db.prepare('DELETE FROM oauth_models WHERE grant_id = ?').run(grantId);
  }

  async list(model: string): Promise<StoredModel[]> {
    const rows = this.db
      .prepare('SELECT id, payload, expires_at FROM oauth_models WHERE model = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id')
      .all(model, nowSec()) as { id: string; payload: string; expires_at: number | null }[];
    return rows.map((r) => ({ model, id: r.id, payload: JSON.parse(r.payload), expiresAt: r.expires_at ?? undefined }));
  }

  async count(model: string): Promise<number> {
    const row = this.db
      .prepare('SELECT count(*) AS n FROM oauth_models WHERE model = ? AND (expires_at IS NULL OR expires_at > ?)')
      .get(model, nowSec()) as { n: number };
    return row.n;
  }

  async getOrCreateSecret(id: string, create: () => Promise<string>): Promise<string> {
    const existing = this.db.prepare('SELECT value FROM oauth_secrets WHERE id = ?').get(id) as { value: string } | undefined;
    if (existing) return existing.value;
    this.db.prepare('INSERT OR IGNORE INTO oauth_secrets (id, value) VALUES (?, ?)').run(id, await create());
    return (this.db.prepare('SELECT value FROM oauth_secrets WHERE id = ?').get(id) as { value: string }).value;
  }

  private sweep(): void {
    this.db.prepare('DELETE FROM oauth_models WHERE expires_at IS NOT NULL AND expires_at <= ?').run(nowSec());
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

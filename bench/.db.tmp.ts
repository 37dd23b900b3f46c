import pg from 'pg';
import { startOurs } from './lib/ours.js';
import { cleanupNow } from './lib/cleanup.js';
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const a = new pg.Client(PG); await a.connect();
await a.query('CREATE TABLE IF NOT EXISTS bench_items_dbg (id int primary key, name text)'); await a.query("INSERT INTO bench_items_dbg VALUES (1,'x') ON CONFLICT DO NOTHING");
for (const env of [{ DATABASE_URL: PG, CACHE_MAX_ENTRIES: '0', DB_READ_TABLES: 'bench_items_dbg' }, { DATABASE_URL: PG, CACHE_MAX_ENTRIES: '0' }]) {
  const s = await startOurs({ name: 'db', env });
  const r = await s.envelope('database', 'query', { sql: 'SELECT id, name FROM bench_items_dbg' });
  console.log(r.status, JSON.stringify(r.json?.content ?? r.text).slice(0, 600));
  await s.dispose();
}
await a.query('DROP TABLE bench_items_dbg'); await a.end(); cleanupNow(); process.exit(0);

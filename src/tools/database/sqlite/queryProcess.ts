/**
 * Entry point of a SQLite query process (forked by queryProcessPool.ts). It runs one statement at a
 * time and answers over IPC; the parent kills it with SIGKILL when a statement exceeds its time limit.
 */
import { runSqliteQuery, type SqliteQueryRequest } from './sqliteQuery.js';

interface RequestMessage {
  id: number;
  request: SqliteQueryRequest;
}

process.on('message', (message: RequestMessage) => {
  const reply = runSqliteQuery(message.request);
  process.send?.({ id: message.id, reply });
});
// The parent going away (crash, kill) closes the channel: nothing left to serve.
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });

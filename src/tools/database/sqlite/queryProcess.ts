/**
 * Entry point of a SQLite query process (forked by queryProcessPool.ts). It runs one statement at a
 * time and answers over IPC; the parent kills it with SIGKILL when a statement exceeds its time limit.
 */
import { runSqliteQuery, type SqliteQueryRequest } from './sqliteQuery.js';

interface RequestMessage {
  id: number;
  request: SqliteQueryRequest;
}

// A closed channel means the parent is gone: nobody is left to answer.
const send = (message: unknown) => process.send?.(message, undefined, undefined, (error) => error && process.exit(0));

process.on('message', (message: RequestMessage) => send({ id: message.id, reply: runSqliteQuery(message.request) }));
process.on('disconnect', () => process.exit(0));
send({ ready: true });

/**
 * Entry point of a SQLite query process (forked by queryProcessPool.ts). It runs one statement (a
 * query) or one write transaction at a time and answers over IPC; the parent kills it with SIGKILL
 * when the work exceeds its time limit.
 */
import type { ProcessRequest } from './queryProcessPool.js';
import { runSqliteQuery } from './sqliteQuery.js';
import { runSqliteWrite } from './sqliteWrite.js';

interface RequestMessage {
  id: number;
  request: ProcessRequest;
}

// A closed channel means the parent is gone: nobody is left to answer.
const send = (message: unknown) => process.send?.(message, undefined, undefined, (error) => error && process.exit(0));

process.on('message', ({ id, request }: RequestMessage) =>
  send({ id, reply: 'query' in request ? runSqliteQuery(request.query) : runSqliteWrite(request.write) }),
);
process.on('disconnect', () => process.exit(0));
send({ ready: true });

/**
 * Cache tags. A query can read any table (through joins, views, subqueries), so every cached
 * result is tagged with the whole database rather than with tables guessed from its text, and
 * every write evicts all of them: a query after a write through this server sees the write.
 */
export const DATABASE_TAG = 'db:*';

export const readTags = (): string[] => [DATABASE_TAG];
export const writeInvalidates = (): string[] => [DATABASE_TAG];

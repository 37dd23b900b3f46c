import { defineOperation, READ_ONLY } from '../../../core/operation.js';
import type { QueryResult, Scalar } from '../backend.js';
import { readTags } from '../cacheTags.js';
import { cachePolicy, TOOL, type DbContext } from '../dbContext.js';
import { scalar } from '../schemas.js';

interface Params {
  sql: string;
  params?: Scalar[];
  max_rows?: number;
}

export const MAX_SQL_LENGTH = 100_000;
export const MAX_PARAMS = 1000;

export function queryOperation(db: DbContext) {
  const { maxRows, statementTimeoutMs } = db.config;
  const placeholders = db.backend.dialect === 'postgres' ? '$1, $2 …' : '?';
  return defineOperation<Params, QueryResult>({
    tool: TOOL,
    operation: 'query',
    mcpName: 'query',
    title: 'Run a read-only SQL query',
    description:
      `One read-only SQL statement (SELECT, WITH, VALUES) on the ${db.backend.dialect} database; values go in params (${placeholders} placeholders). ` +
      `Writes, multiple statements, transactions, COPY, ATTACH and PRAGMA writes are refused; over ${statementTimeoutMs} ms is stopped. ` +
      'Returns columns and rows (arrays); truncated if over max_rows.',
    inputSchema: {
      type: 'object',
      properties: {
        sql: { type: 'string', minLength: 1, maxLength: MAX_SQL_LENGTH },
        params: {
          type: 'array',
          items: scalar,
          maxItems: MAX_PARAMS,
          default: [],
          description: 'Placeholder values, in order.',
        },
        max_rows: { type: 'integer', minimum: 1, maximum: maxRows, default: maxRows },
      },
      required: ['sql'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        columns: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, type: { type: 'string' } },
            required: ['name', 'type'],
            additionalProperties: false,
          },
        },
        rows: { type: 'array', items: { type: 'array' }, description: 'Each row is an array of values in column order.' },
        row_count: { type: 'integer' },
        truncated: { type: 'boolean', description: 'True when the statement had more rows than were returned.' },
        truncated_reason: { type: 'string', enum: ['max_rows', 'max_bytes'] },
      },
      required: ['columns', 'rows', 'row_count', 'truncated'],
      additionalProperties: false,
    },
    annotations: READ_ONLY,
    scope: 'read',
    cache: cachePolicy(db, readTags),
    timeoutMs: db.callTimeoutMs,
    handler: async (params, ctx) =>
      db.backend.query(
        params.sql,
        params.params ?? [],
        { maxRows: params.max_rows ?? maxRows, maxBytes: db.config.maxResultBytes, timeoutMs: statementTimeoutMs },
        ctx.signal,
      ),
  });
}

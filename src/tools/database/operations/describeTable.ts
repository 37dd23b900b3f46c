import { defineOperation, READ_ONLY } from '../../../core/operation.js';
import type { TableDescription } from '../backend.js';
import { readTags } from '../cacheTags.js';
import { cachePolicy, TOOL, type DbContext } from '../dbContext.js';
import { columnSchema, tableParam } from '../schemas.js';

interface Params {
  table: string;
}

type Result = TableDescription & { readable: boolean; writable: boolean };

const names = { type: 'array', items: { type: 'string' } };

export function describeTableOperation(db: DbContext) {
  return defineOperation<Params, Result>({
    tool: TOOL,
    operation: 'describe_table',
    mcpName: 'describe_table',
    title: 'Describe a database table',
    description:
      "A table's columns (name, type, nullable, default, primary key), foreign keys, indexes, and whether you may read/write it. Use before writing SQL.",
    inputSchema: {
      type: 'object',
      properties: { table: tableParam },
      required: ['table'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        table: { type: 'string' },
        kind: { type: 'string', enum: ['table', 'view'] },
        readable: { type: 'boolean' },
        writable: { type: 'boolean' },
        columns: { type: 'array', items: columnSchema },
        primary_key: names,
        foreign_keys: {
          type: 'array',
          items: {
            type: 'object',
            properties: { columns: names, references_table: { type: 'string' }, references_columns: names },
            required: ['columns', 'references_table', 'references_columns'],
            additionalProperties: false,
          },
        },
        indexes: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, columns: names, unique: { type: 'boolean' } },
            required: ['name', 'columns', 'unique'],
            additionalProperties: false,
          },
        },
      },
      required: ['table', 'kind', 'readable', 'writable', 'columns', 'primary_key', 'foreign_keys', 'indexes'],
      additionalProperties: false,
    },
    annotations: READ_ONLY,
    scope: 'read',
    cache: cachePolicy(db, readTags),
    handler: async (params) => {
      const table = await db.access.forDescribe(params.table);
      const description = await db.backend.describeTable(table);
      return { ...description, readable: db.access.canRead(table), writable: db.access.canWrite(table) };
    },
  });
}

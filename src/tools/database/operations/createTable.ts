import { defineOperation } from '../../../core/operation.js';
import { writeInvalidates } from '../cacheTags.js';
import { TOOL, type DbContext } from '../dbContext.js';
import { buildCreateTable, COLUMN_TYPES, IDENTIFIER, type ColumnSpec } from '../ddlBuilder.js';
import { scalar } from '../schemas.js';

interface Params {
  table: string;
  columns: ColumnSpec[];
}

interface Result {
  table: string;
  columns: number;
}

export const MAX_COLUMNS = 100;

/** Offered only with DB_ALLOW_DDL=true: a structured CREATE TABLE, nothing free-form. */
export function createTableOperation(db: DbContext) {
  return defineOperation<Params, Result>({
    tool: TOOL,
    operation: 'create_table',
    mcpName: 'create_table',
    title: 'Create a table',
    description:
      'Create a table from a column list. One integer primary_key column gets values automatically. ' +
      'default is a literal of the column type.',
    inputSchema: {
      type: 'object',
      properties: {
        table: { type: 'string', pattern: IDENTIFIER },
        columns: {
          type: 'array',
          minItems: 1,
          maxItems: MAX_COLUMNS,
          items: {
            type: 'object',
            properties: {
              name: { type: 'string', pattern: IDENTIFIER },
              type: { type: 'string', enum: Object.keys(COLUMN_TYPES) },
              primary_key: { type: 'boolean' },
              not_null: { type: 'boolean' },
              unique: { type: 'boolean' },
              default: scalar,
            },
            required: ['name', 'type'],
            additionalProperties: false,
          },
        },
      },
      required: ['table', 'columns'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: { table: { type: 'string' }, columns: { type: 'integer' } },
      required: ['table', 'columns'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    scope: 'write',
    invalidates: () => writeInvalidates(),
    timeoutMs: db.callTimeoutMs,
    handler: async (params, ctx) => {
      // Built (and every name and default checked) before anything touches the database.
      const statement = buildCreateTable(db.backend.dialect, params.table, params.columns);
      await db.access.forCreate(params.table);
      await db.backend.createTable(statement, ctx.signal);
      return { table: params.table, columns: params.columns.length };
    },
  });
}

import { defineOperation } from '../../../core/operation.js';
import type { JsonValue } from '../backend.js';
import { writeInvalidates } from '../cacheTags.js';
import { TOOL, type DbContext } from '../dbContext.js';
import { anyValue, tableParam } from '../schemas.js';

interface Params {
  table: string;
  records: Record<string, JsonValue>[];
}

interface Result {
  table: string;
  inserted: number;
  keys: Record<string, JsonValue>[];
}

export const MAX_RECORDS = 1000;

export function insertOperation(db: DbContext) {
  return defineOperation<Params, Result>({
    tool: TOOL,
    operation: 'insert',
    mcpName: 'insert',
    title: 'Insert rows',
    description:
      'Insert records (column → value; omitted columns get defaults) in one transaction, all or none. ' +
      "Objects and arrays are stored as JSON (PostgreSQL: arrays to array columns). Returns each new row's primary key.",
    inputSchema: {
      type: 'object',
      properties: {
        table: tableParam,
        records: {
          type: 'array',
          minItems: 1,
          maxItems: MAX_RECORDS,
          items: { type: 'object', additionalProperties: anyValue },
        },
      },
      required: ['table', 'records'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        table: { type: 'string' },
        inserted: { type: 'integer' },
        keys: { type: 'array', items: { type: 'object' }, description: 'Primary-key values of each new row, in record order.' },
      },
      required: ['table', 'inserted', 'keys'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    scope: 'write',
    invalidates: () => writeInvalidates(),
    timeoutMs: db.callTimeoutMs,
    handler: async (params, ctx) => {
      const table = await db.access.forWrite(params.table);
      const description = await db.backend.describeTable(table);
      for (const [i, record] of params.records.entries()) db.access.checkColumns(description, Object.keys(record), `records[${i}]`);
      const keys = await db.backend.insert(table, description.primary_key, params.records, ctx.signal);
      return { table: table.name, inserted: keys.length, keys };
    },
  });
}

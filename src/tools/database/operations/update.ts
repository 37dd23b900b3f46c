import { ToolError } from '../../../core/errors.js';
import { defineOperation } from '../../../core/operation.js';
import type { JsonValue } from '../backend.js';
import { writeInvalidates } from '../cacheTags.js';
import { TOOL, type DbContext } from '../dbContext.js';
import { anyValue, tableParam, whereParam } from '../schemas.js';
import { normalizeWhere, type WhereInput } from '../where.js';

interface Params {
  table: string;
  set: Record<string, JsonValue>;
  where?: WhereInput;
  all_rows?: boolean;
}

interface Result {
  table: string;
  updated: number;
}

export function updateOperation(db: DbContext) {
  return defineOperation<Params, Result>({
    tool: TOOL,
    operation: 'update',
    mcpName: 'update',
    title: 'Update rows',
    description: 'Set columns in the rows matching where; an empty where needs all_rows: true. Returns the count.',
    inputSchema: {
      type: 'object',
      properties: {
        table: tableParam,
        set: { type: 'object', minProperties: 1, additionalProperties: anyValue, description: 'column → new value' },
        where: { ...whereParam, default: {} },
        all_rows: { type: 'boolean', default: false },
      },
      required: ['table', 'set'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: { table: { type: 'string' }, updated: { type: 'integer', description: 'Rows changed.' } },
      required: ['table', 'updated'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    scope: 'write',
    invalidates: () => writeInvalidates(),
    timeoutMs: db.callTimeoutMs,
    handler: async (params, ctx) => {
      const where = normalizeWhere(params.where ?? {});
      const allRows = params.all_rows ?? false;
      // Security: an update without conditions changes every row; it needs an explicit all_rows.
      if (where.length === 0 && !allRows) {
        throw new ToolError(
          'FORBIDDEN',
          `Refused: update without a where would change every row of ${JSON.stringify(params.table)}. Pass a where, or all_rows: true if you really mean every row.`,
        );
      }
      if (where.length > 0 && allRows) {
        throw new ToolError('INVALID_PARAMS', 'Pass either a where or all_rows: true, not both.');
      }
      const table = await db.access.forWrite(params.table);
      const description = await db.backend.describeTable(table);
      db.access.checkColumns(description, Object.keys(params.set), 'set');
      db.access.checkColumns(
        description,
        where.map((c) => c.column),
        'where',
      );
      const updated = await db.backend.update(table, params.set, where, ctx.signal);
      return { table: table.name, updated };
    },
  });
}

import { ToolError } from '../../../core/errors.js';
import { defineOperation } from '../../../core/operation.js';
import { writeInvalidates } from '../cacheTags.js';
import { TOOL, type DbContext } from '../dbContext.js';
import { tableParam, whereParam } from '../schemas.js';
import { normalizeWhere, type WhereInput } from '../where.js';

interface Params {
  table: string;
  where: WhereInput;
  max_rows?: number;
}

interface Result {
  table: string;
  deleted: number;
}

export const DEFAULT_DELETE_ROWS = 100;
export const MAX_DELETE_ROWS = 100_000;

export function deleteOperation(db: DbContext) {
  return defineOperation<Params, Result>({
    tool: TOOL,
    operation: 'delete',
    mcpName: 'delete',
    title: 'Delete rows',
    description: 'Delete the rows matching where (non-empty). If more than max_rows match, nothing is deleted. Returns the count.',
    inputSchema: {
      type: 'object',
      properties: {
        table: tableParam,
        where: { ...whereParam, minProperties: 1 },
        max_rows: {
          type: 'integer',
          minimum: 1,
          maximum: MAX_DELETE_ROWS,
          default: DEFAULT_DELETE_ROWS,
        },
      },
      required: ['table', 'where'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: { table: { type: 'string' }, deleted: { type: 'integer' } },
      required: ['table', 'deleted'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    scope: 'write',
    invalidates: () => writeInvalidates(),
    timeoutMs: db.callTimeoutMs,
    handler: async (params, ctx) => {
      const where = normalizeWhere(params.where);
      // Security: there is no "delete everything" form; the schema says so too, this holds without it.
      if (where.length === 0) {
        throw new ToolError('INVALID_PARAMS', 'delete needs a non-empty where: there is no way to delete every row at once.');
      }
      const table = await db.access.forWrite(params.table);
      const description = await db.backend.describeTable(table);
      db.access.checkColumns(
        description,
        where.map((c) => c.column),
        'where',
      );
      const deleted = await db.backend.delete(table, where, params.max_rows ?? DEFAULT_DELETE_ROWS, ctx.signal);
      return { table: table.name, deleted };
    },
  });
}

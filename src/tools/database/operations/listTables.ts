import { defineOperation, READ_ONLY } from '../../../core/operation.js';
import { readTags } from '../cacheTags.js';
import { cachePolicy, TOOL, type DbContext } from '../dbContext.js';

interface Result {
  dialect: 'sqlite' | 'postgres';
  param_style: string;
  read_only: boolean;
  tables: { name: string; kind: 'table' | 'view'; readable: boolean; writable: boolean }[];
}

export function listTablesOperation(db: DbContext) {
  return defineOperation<Record<string, never>, Result>({
    tool: TOOL,
    operation: 'list_tables',
    mcpName: 'list_tables',
    title: 'List database tables',
    description:
      'The tables and views you may use, readable (query) and writable (insert/update/delete), with the SQL dialect and parameter style. Call first.',
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    outputSchema: {
      type: 'object',
      properties: {
        dialect: { type: 'string', enum: ['sqlite', 'postgres'] },
        param_style: { type: 'string' },
        read_only: { type: 'boolean', description: 'True when this server allows no writes at all.' },
        tables: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              kind: { type: 'string', enum: ['table', 'view'] },
              readable: { type: 'boolean' },
              writable: { type: 'boolean' },
            },
            required: ['name', 'kind', 'readable', 'writable'],
            additionalProperties: false,
          },
        },
      },
      required: ['dialect', 'param_style', 'read_only', 'tables'],
      additionalProperties: false,
    },
    annotations: READ_ONLY,
    scope: 'read',
    cache: cachePolicy(db, readTags),
    handler: async () => {
      const tables = await db.access.visibleTables();
      return {
        dialect: db.backend.dialect,
        param_style: db.backend.paramStyle,
        read_only: db.config.readOnly,
        tables: tables.map((t) => ({ name: t.name, kind: t.kind, readable: db.access.canRead(t), writable: db.access.canWrite(t) })),
      };
    },
  });
}

import type { JsonSchema } from '../../core/operation.js';
import { JSON_VALUE_SCHEMA, nullable, SCALAR_SCHEMA } from '../../core/valueSchemas.js';
import { CONDITION_OPS, MAX_IN_VALUES } from './where.js';

/** JSON Schema fragments shared by the operations. */
export const tableParam = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  description: 'Table name exactly as list_tables shows it (case-sensitive; `schema.table` for tables outside the default schema).',
};

export const anyValue = {
  ...JSON_VALUE_SCHEMA,
  description: 'A column value. Objects and arrays are stored as JSON (PostgreSQL: arrays go to array columns, objects to json/jsonb).',
};

export const scalar = SCALAR_SCHEMA;
const scalarBranches = SCALAR_SCHEMA.anyOf as JsonSchema[];

export const columnSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    type: { type: 'string' },
    nullable: { type: 'boolean' },
    default: nullable({ type: 'string' }),
    primary_key: { type: 'boolean' },
  },
  required: ['name', 'type', 'nullable', 'default', 'primary_key'],
  additionalProperties: false,
};

/** A structured where: column → value (equality), or column → {op, value}; all must hold. */
export const whereParam = {
  type: 'object',
  additionalProperties: {
    anyOf: [
      ...scalarBranches,
      {
        type: 'object',
        properties: {
          op: { type: 'string', enum: CONDITION_OPS },
          value: { anyOf: [...scalarBranches, { type: 'array', items: scalar, maxItems: MAX_IN_VALUES }] },
        },
        required: ['op'],
        additionalProperties: false,
      },
    ],
  },
  description: 'column → value, or column → {"op": "<", "value": 10}. Every condition must match.',
};

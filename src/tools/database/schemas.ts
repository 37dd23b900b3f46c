import type { JsonSchema } from '../../core/operation.js';
import { JSON_VALUE_SCHEMA, nullable, SCALAR_SCHEMA } from '../../core/valueSchemas.js';
import { CONDITION_OPS, MAX_IN_VALUES } from './where.js';

/** JSON Schema fragments shared by the operations. */
export const tableParam = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
};

/** A column value; how objects and arrays are stored is said once, in insert's description. */
export const anyValue = JSON_VALUE_SCHEMA;

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
  description: 'column → value (equals; null: IS NULL), or column → {"op", "value"} ("in": a list, "is_null": true/false). All must hold.',
};

import type { JsonSchema } from './operation.js';

// Value types several tools share, spelled portably: one `type` per schema and unions as anyOf
// (src/core/portableSchema.ts says why). Each accepts exactly what the `type` array it replaces did.

/** A string, number, boolean or null. */
export const SCALAR_SCHEMA: JsonSchema = {
  anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }],
};

/** Any JSON value. Objects and arrays are free-form, and say so explicitly. */
export const JSON_VALUE_SCHEMA: JsonSchema = {
  anyOf: [...(SCALAR_SCHEMA.anyOf as JsonSchema[]), { type: 'array' }, { type: 'object', additionalProperties: true }],
};

/** `schema` or null. */
export function nullable(schema: JsonSchema, description?: string): JsonSchema {
  return { anyOf: [schema, { type: 'null' }], ...(description ? { description } : {}) };
}

/** JSON Schema fragments shared by the operations. */
export const tableParam = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  description: 'Table name exactly as list_tables shows it (case-sensitive; `schema.table` for tables outside the default schema).',
};

export const anyValue = {
  type: ['string', 'number', 'boolean', 'null', 'object', 'array'],
  description: 'A column value. Objects and arrays are stored as JSON (PostgreSQL: arrays go to array columns, objects to json/jsonb).',
};

export const scalar = { type: ['string', 'number', 'boolean', 'null'] };

export const columnSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    type: { type: 'string' },
    nullable: { type: 'boolean' },
    default: { type: ['string', 'null'] },
    primary_key: { type: 'boolean' },
  },
  required: ['name', 'type', 'nullable', 'default', 'primary_key'],
  additionalProperties: false,
};

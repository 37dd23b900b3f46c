import type { JsonSchema } from '../../core/operation.js';
import { ENTRY_TYPES } from './kinds.js';

export const TOOL = 'file_system';

/** Paths as the model sees them in every schema. */
export function pathParam(): JsonSchema {
  return {
    type: 'string',
    minLength: 1,
    maxLength: 4096,
    // Confinement (no "..", "~" or links out) is enforced and explained in the error; the model only needs the convention.
    description: 'Workspace-relative.',
  };
}

export const etagParam: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  description: 'Write only if the file still has this etag (from read_file), else CONFLICT.',
};

export const entryTypeSchema: JsonSchema = { type: 'string', enum: ENTRY_TYPES };

export const isoTime: JsonSchema = { type: 'string', description: 'ISO 8601 time.' };

export const etagSchema: JsonSchema = { type: 'string', description: 'Lowercase hex SHA-256 of the file content.' };

import type { JsonSchema } from '../../core/operation.js';
import { ENTRY_TYPES } from './kinds.js';

export const TOOL = 'file_system';

/** Paths as the model sees them in every schema. */
export function pathParam(description: string): JsonSchema {
  return {
    type: 'string',
    minLength: 1,
    maxLength: 4096,
    description: `${description} Relative to the workspace root ("/" is the root itself; "..", "~" and links out of the workspace are refused).`,
  };
}

export const etagParam: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  description: 'Only write if the file still has this etag (from read_file); otherwise fail with CONFLICT and change nothing.',
};

export const entryTypeSchema: JsonSchema = { type: 'string', enum: ENTRY_TYPES };

export const isoTime: JsonSchema = { type: 'string', description: 'ISO 8601 time.' };

export const etagSchema: JsonSchema = { type: 'string', description: 'Lowercase hex SHA-256 of the file content.' };

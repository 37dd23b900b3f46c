import type { ValidateFunction } from 'ajv';
import { createAjv } from '../../core/schema.js';

const operationCall = {
  type: 'object',
  required: ['tool_name', 'operation'],
  properties: {
    id: { type: ['string', 'integer'] },
    tool_name: { type: 'string', minLength: 1, maxLength: 128 },
    operation: { type: 'string', minLength: 1, maxLength: 128 },
    parameters: { type: 'object' },
  },
} as const;

/**
 * The design's envelope, with one addition: `content.batch` (a list of operation calls) as the
 * design's batch processor takes it. `parameters` may be omitted for operations that take none.
 */
export const envelopeRequestSchema = {
  type: 'object',
  required: ['message_id', 'timestamp', 'source', 'destination', 'message_type', 'content'],
  properties: {
    message_id: { type: 'string', minLength: 1, maxLength: 256 },
    timestamp: { type: 'string', format: 'date-time' },
    source: { type: 'string', maxLength: 128 },
    destination: { type: 'string', maxLength: 128 },
    message_type: { type: 'string', const: 'request' },
    content: {
      type: 'object',
      properties: {
        tool_name: { type: 'string', minLength: 1, maxLength: 128 },
        operation: { type: 'string', minLength: 1, maxLength: 128 },
        parameters: { type: 'object' },
        batch: { type: 'array', minItems: 1, items: operationCall },
      },
      oneOf: [
        { required: ['tool_name', 'operation'], not: { required: ['batch'] } },
        { required: ['batch'], not: { anyOf: [{ required: ['tool_name'] }, { required: ['operation'] }] } },
      ],
    },
    metadata: {
      type: 'object',
      properties: { session_id: { type: 'string', maxLength: 256 } },
    },
  },
} as const;

export interface EnvelopeCall {
  id?: string | number;
  tool_name: string;
  operation: string;
  parameters?: Record<string, unknown>;
}

export interface EnvelopeRequest {
  message_id: string;
  timestamp: string;
  source: string;
  destination: string;
  message_type: 'request';
  content: Partial<EnvelopeCall> & { batch?: EnvelopeCall[] };
  metadata?: Record<string, unknown> & { session_id?: string };
}

let compiled: ValidateFunction | undefined;

/** Compiled once, on first use at startup. */
export function envelopeValidator(): ValidateFunction {
  compiled ??= createAjv().compile(envelopeRequestSchema);
  return compiled;
}

import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import type { Dialect } from '../core/context.js';
import { stateOf } from './requestState.js';

/** Error codes the HTTP layer itself produces (tool errors add their own ToolErrorCode). */
export const HTTP_ERROR_CODES = [
  'INVALID_REQUEST',
  'PARSE_ERROR',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'UNKNOWN_TOOL',
  'UNKNOWN_OPERATION',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'METHOD_NOT_ALLOWED',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'TIMEOUT',
  'INTERNAL_ERROR',
] as const;
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

export interface HttpError {
  status: number;
  code: HttpErrorCode | string;
  message: string;
  headers?: Record<string, string>;
  /** JSON-RPC request id when known. */
  jsonRpcId?: string | number | null;
  /** Envelope message_id being answered, when known. */
  inReplyTo?: string | null;
}

/** JSON-RPC codes: the standard ones, then the implementation-defined range -32000..-32019. */
const JSON_RPC_CODE: Record<string, number> = {
  INVALID_REQUEST: -32600,
  PARSE_ERROR: -32700,
  UNAUTHORIZED: -32001,
  FORBIDDEN: -32003,
  NOT_FOUND: -32004,
  RATE_LIMITED: -32005,
  PAYLOAD_TOO_LARGE: -32006,
  UNSUPPORTED_MEDIA_TYPE: -32007,
  TIMEOUT: -32008,
  METHOD_NOT_ALLOWED: -32009,
  INTERNAL_ERROR: -32603,
};

export function envelopeError(error: HttpError, processingMs: number, metadata?: unknown): Record<string, unknown> {
  return {
    message_id: `err_${randomUUID()}`,
    in_reply_to: error.inReplyTo ?? null,
    timestamp: new Date().toISOString(),
    source: 'tool',
    destination: 'model',
    message_type: 'error',
    content: { error: error.message, code: error.code },
    metadata: { ...(isRecord(metadata) ? metadata : {}), processing_time_ms: Math.round(processingMs) },
  };
}

export function jsonRpcError(error: HttpError): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id: error.jsonRpcId ?? null,
    error: { code: JSON_RPC_CODE[error.code] ?? -32000, message: error.message },
  };
}

/** Answers with an error in the caller's dialect and the matching HTTP status. */
export function sendError(res: Response, dialect: Dialect | undefined, error: HttpError, metadata?: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const state = stateOf(res);
  if (state) state.outcome = String(error.code);
  // Whatever stage refuses the request (Host, Origin, auth, limits, …), the reply carries the ids
  // and the envelope metadata the request sent, once its facts are read, like any other error.
  const facts = state?.facts;
  if (facts) {
    error = { ...error, jsonRpcId: error.jsonRpcId ?? facts.jsonRpcId, inReplyTo: error.inReplyTo ?? facts.messageId };
    metadata ??= facts.envelopeMetadata;
  }
  for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
  const elapsed = state ? performance.now() - state.startedAt : 0;
  res.status(error.status).json(dialect === 'mcp' ? jsonRpcError(error) : envelopeError(error, elapsed, metadata));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

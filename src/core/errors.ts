/**
 * Typed tool errors. A handler throws a ToolError with a code; each dialect maps the code to its
 * own shape (an HTTP status + envelope error, or an MCP `isError` result / JSON-RPC error).
 */
export type ToolErrorCode =
  | 'INVALID_PARAMS'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UNAUTHORIZED'
  | 'RATE_LIMITED'
  | 'TIMEOUT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAVAILABLE'
  | 'UPSTREAM_ERROR'
  | 'CANCELLED'
  | 'UNKNOWN_TOOL'
  | 'UNKNOWN_OPERATION'
  | 'INTERNAL_ERROR';

/**
 * The code a reply shows, in both dialects. Bad parameters are the caller's invalid request
 * (INVALID_REQUEST, as the envelope design names it); every other code is shown as it is.
 */
export function wireCode(code: string): string {
  return code === 'INVALID_PARAMS' ? 'INVALID_REQUEST' : code;
}

/** HTTP status each code maps to in the envelope dialect. */
export const HTTP_STATUS: Record<ToolErrorCode, number> = {
  INVALID_PARAMS: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FORBIDDEN: 403,
  UNAUTHORIZED: 401,
  RATE_LIMITED: 429,
  TIMEOUT: 504,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
  UPSTREAM_ERROR: 502,
  CANCELLED: 499,
  UNKNOWN_TOOL: 404,
  UNKNOWN_OPERATION: 404,
  INTERNAL_ERROR: 500,
};

export class ToolError extends Error {
  readonly code: ToolErrorCode;
  /** Extra, caller-safe detail (never paths outside the workspace, secrets or stack traces). */
  readonly details?: Record<string, unknown>;

  constructor(code: ToolErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ToolError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

export function isToolError(value: unknown): value is ToolError {
  return value instanceof ToolError;
}

/** Anything a handler throws that is not a ToolError is an internal error: generic text outside. */
export function toToolError(error: unknown): ToolError {
  if (isToolError(error)) return error;
  return new ToolError('INTERNAL_ERROR', 'Internal error. The server log has the details under this request id.');
}

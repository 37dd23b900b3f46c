import type { Request } from 'express';
import type { Dialect } from '../core/context.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function looksJsonRpc(value: unknown): boolean {
  return isRecord(value) && value.jsonrpc !== undefined;
}

/**
 * Picks the dialect from a parsed body: JSON-RPC 2.0 (an object with `jsonrpc`, or an array of
 * them) is MCP; anything else that is a JSON object is the envelope dialect, whose schema check
 * then says precisely what is missing.
 */
export function detectDialect(body: unknown): Dialect | undefined {
  // Envelopes are always objects, so any array is a JSON-RPC batch (valid or not: the MCP
  // dialect answers a bad one with a JSON-RPC error).
  if (Array.isArray(body)) return 'mcp';
  if (looksJsonRpc(body)) return 'mcp';
  if (isRecord(body)) return 'envelope';
  return undefined;
}

/** Best guess from raw text, for errors that happen before the body parses. */
export function guessDialectFromText(text: string): Dialect {
  return /"jsonrpc"\s*:/.test(text.slice(0, 4096)) ? 'mcp' : 'envelope';
}

/** The dialect to answer an early error in: from the parsed body when there is one, else MCP on /mcp. */
export function dialectFor(req: Request): Dialect | undefined {
  const fromBody = req.body === undefined ? undefined : detectDialect(req.body);
  if (fromBody) return fromBody;
  return req.path === '/mcp' ? 'mcp' : undefined;
}

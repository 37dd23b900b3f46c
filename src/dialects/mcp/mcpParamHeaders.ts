/**
 * SEP-2243 (2026-07-28): a tool argument whose schema carries `x-mcp-header: Name` is mirrored by
 * the client into an `Mcp-Param-Name` header, so intermediaries can route on it without reading
 * the body. The server must check the two agree. The SDK checks this only for tools registered on
 * an McpServer; ours come from the registry, so the check is here, with the same error
 * (HTTP 400, JSON-RPC -32020 HeaderMismatch).
 */
import type { Request, Response } from 'express';
import type { RequestState } from '../../http/requestState.js';

export const HEADER_MISMATCH = -32020;

const BASE64_WRAPPED = /^=\?base64\?(.*)\?=$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `x-mcp-header` declarations of a tool's input schema: argument name → header suffix. */
export function mirroredArguments(inputSchema: Record<string, unknown> | undefined): Array<[string, string]> {
  const properties = inputSchema?.properties;
  if (!properties || typeof properties !== 'object') return [];
  const mirrored: Array<[string, string]> = [];
  for (const [argument, schema] of Object.entries(properties as Record<string, unknown>)) {
    const header = (schema as { 'x-mcp-header'?: unknown } | null)?.['x-mcp-header'];
    if (typeof header === 'string' && header !== '') mirrored.push([argument, header]);
  }
  return mirrored;
}

/** The header's value as the client meant it: Base64 when wrapped in =?base64?…?=, else literal. */
function decodeHeader(value: string): string | undefined {
  const wrapped = BASE64_WRAPPED.exec(value);
  if (!wrapped) return value;
  const encoded = wrapped[1]!;
  if (!BASE64.test(encoded)) return undefined;
  return Buffer.from(encoded, 'base64').toString('utf8');
}

/**
 * Undefined when every mirrored argument and its header agree; else why not. A value in the body
 * without its header, a header without the value, an invalid Base64 header and a different value
 * all disagree.
 */
export function headerMismatch(
  mirrored: Array<[string, string]>,
  args: Record<string, unknown> | undefined,
  headerOf: (name: string) => string | undefined,
): string | undefined {
  for (const [argument, suffix] of mirrored) {
    const header = headerOf(`mcp-param-${suffix.toLowerCase()}`);
    const value = args?.[argument];
    if (value === undefined || value === null) {
      if (header !== undefined) return `Mcp-Param-${suffix} is set but the argument "${argument}" is absent.`;
      continue;
    }
    if (header === undefined) return `The argument "${argument}" must be mirrored in the Mcp-Param-${suffix} header.`;
    const decoded = decodeHeader(header);
    if (decoded === undefined) return `Mcp-Param-${suffix} is not valid Base64 inside =?base64?…?=.`;
    const expected = typeof value === 'string' ? value : JSON.stringify(value);
    if (decoded !== expected) return `Mcp-Param-${suffix} does not match the argument "${argument}".`;
  }
  return undefined;
}

/**
 * The check both MCP engines run on a 2026-07-28 `tools/call` before the SDK sees it: true when
 * the request was refused (HTTP 400, -32020) and answered. Declarations are cached per tool name.
 */
export function paramHeaderGuard(inputSchemaOf: ((name: string) => Record<string, unknown> | undefined) | undefined) {
  const mirroredOf = new Map<string, Array<[string, string]>>();
  const mirrored = (name: string) => {
    let found = mirroredOf.get(name);
    if (!found) mirroredOf.set(name, (found = mirroredArguments(inputSchemaOf?.(name))));
    return found;
  };
  return function refusedForParamHeaders(req: Request, res: Response, state: RequestState): boolean {
    const call = state.facts?.calls[0];
    if (call?.kind !== 'tool') return false;
    const declared = mirrored(call.entry?.op.mcpName ?? call.tool);
    if (!declared.length) return false;
    const params = (req.body as { params?: { arguments?: Record<string, unknown> } }).params;
    const problem = headerMismatch(declared, params?.arguments, (name) => req.get(name));
    if (!problem) return false;
    state.outcome = 'HEADER_MISMATCH';
    res
      .status(400)
      .json({ jsonrpc: '2.0', id: state.facts!.jsonRpcId, error: { code: HEADER_MISMATCH, message: `Header mismatch: ${problem}` } });
    return true;
  };
}

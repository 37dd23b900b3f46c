/** The request shapes every contender is loaded with, built once per workload. */

export const MCP_PROTOCOL_VERSION = '2025-11-25';

export function mcpHeaders(key?: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': MCP_PROTOCOL_VERSION,
    ...(key ? { authorization: `Bearer ${key}` } : {}),
  };
}

export function envelopeHeaders(key: string): Record<string, string> {
  return { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${key}` };
}

/** A legacy stateless tools/call: no initialize first, as stateless 2025-era serving allows. */
export function toolsCallBody(name: string, args: Record<string, unknown> = {}, id: number | string = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
}

export interface EnvelopeCall {
  id?: string | number;
  tool_name: string;
  operation: string;
  parameters?: Record<string, unknown>;
}

const ENVELOPE_HEAD = {
  message_id: 'msg_bench',
  timestamp: '2026-01-01T00:00:00Z',
  source: 'model',
  destination: 'tool',
  message_type: 'request',
};

export function envelopeBody(tool: string, operation: string, parameters: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...ENVELOPE_HEAD, content: { tool_name: tool, operation, parameters } });
}

export function envelopeBatchBody(calls: EnvelopeCall[]): string {
  return JSON.stringify({ ...ENVELOPE_HEAD, content: { batch: calls } });
}

export const MCP_MODERN_VERSION = '2026-07-28';

/** A 2026-07-28 request's SEP-2243 headers (the revision, the method and the tool it names). */
export function mcpModernHeaders(key: string | undefined, method: string, name?: string): Record<string, string> {
  return {
    ...mcpHeaders(key),
    'mcp-protocol-version': MCP_MODERN_VERSION,
    'mcp-method': method,
    ...(name !== undefined ? { 'mcp-name': name } : {}),
  };
}

/** A 2026-07-28 tools/call: the per-request `_meta` envelope instead of a session or initialize. */
export function toolsCallModernBody(name: string, args: Record<string, unknown> = {}, id: number | string = 1): string {
  const _meta = { 'io.modelcontextprotocol/protocolVersion': MCP_MODERN_VERSION, 'io.modelcontextprotocol/clientCapabilities': {} };
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, _meta } });
}

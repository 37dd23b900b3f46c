import { ADMIN_KEY, envelope } from '../../helpers/server.js';

export interface Answer {
  status: number;
  body: any;
  ms: number;
}

/** One POST /mcp that must be answered within `timeoutMs` (a hang fails the caller's test). */
export async function post(
  url: string,
  body: unknown,
  options: { key?: string; timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.key ?? ADMIN_KEY}`, ...options.headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, body: json, ms: performance.now() - started };
}

export const call = (tool: string, operation: string, parameters: Record<string, unknown> = {}, metadata?: Record<string, unknown>) =>
  envelope(tool, operation, parameters, metadata);

export const mcpToolCall = (name: string, args: Record<string, unknown>, id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});
export const MCP_HEADERS = { 'mcp-protocol-version': '2025-06-18' };

/** One HTTP exchange with /mcp as a client on the wire sees it: status, headers, parsed body. */
export interface WireAnswer {
  status: number;
  headers: Headers;
  contentType: string;
  /** The JSON body, or the last JSON-RPC message of an SSE stream. */
  body: any;
  text: string;
}

/** Reads a JSON body or the `data:` lines of an SSE stream (the last message wins). */
export function parseBody(contentType: string, text: string): any {
  if (contentType.includes('text/event-stream')) {
    const messages = text
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .filter(Boolean)
      .map((data) => JSON.parse(data));
    return messages[messages.length - 1];
  }
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export async function send(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<WireAnswer> {
  const headers = new Headers(init.headers);
  if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const response = await fetch(url, {
    method: init.method ?? 'POST',
    headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return { status: response.status, headers: response.headers, contentType, body: parseBody(contentType, text), text };
}

/** POSTs one JSON-RPC message with a bearer token, as an MCP client would. */
export function rpc(url: string, message: unknown, token: string | undefined, headers: Record<string, string> = {}): Promise<WireAnswer> {
  return send(url, {
    body: message,
    headers: { accept: 'application/json, text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
}

export function initialize(protocolVersion: string, clientName = 'test-client') {
  return {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: clientName, version: '1.0.0' } },
  };
}

export function toolsCall(id: number, name: string, args: Record<string, unknown> = {}) {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } };
}

/** Parses `Bearer a="b", c="d"` into its parameters. */
export function challengeParams(header: string | null): Record<string, string> {
  const params: Record<string, string> = {};
  if (!header) return params;
  for (const match of header.matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) params[match[1]!] = match[2]!.replace(/\\(.)/g, '$1');
  return params;
}

import { Agent, request } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Client-side round trip, ms. */
  ms: number;
}

/** One keep-alive socket: sequential calls measure one caller, not the connection setup. */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

export function post(url: string, body: string, headers: Record<string, string>, timeoutMs = 60_000): Promise<Reply> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, ms: performance.now() - started }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The JSON-RPC message in an MCP reply, whether it came as JSON or as one SSE event. */
export function mcpMessage(text: string): { result?: Record<string, unknown>; error?: { message: string } } | undefined {
  const trimmed = text.trim();
  const candidates = trimmed.startsWith('{')
    ? [trimmed]
    : trimmed
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim());
  for (const candidate of candidates.reverse()) {
    try {
      const message = JSON.parse(candidate) as Record<string, unknown>;
      if ('result' in message || 'error' in message) return message as never;
    } catch {
      // Not this line.
    }
  }
  return undefined;
}

export function closeAgent(): void {
  agent.destroy();
}

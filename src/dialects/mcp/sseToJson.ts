/**
 * Collapses an SSE response body into the JSON-RPC responses it carries. Used for clients that
 * accept only application/json (the OpenAI Responses API, some Claude versions): they get the
 * terminal result as plain JSON, and mid-call notifications are dropped.
 */
export function jsonRpcResponsesFromSse(text: string): unknown[] {
  const responses: unknown[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (!data) continue;
    try {
      const message = JSON.parse(data) as Record<string, unknown>;
      if (message && typeof message === 'object' && 'id' in message && ('result' in message || 'error' in message)) responses.push(message);
    } catch {
      // Not JSON (keep-alive or priming event): nothing to forward.
    }
  }
  return responses;
}

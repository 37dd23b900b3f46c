import { ToolError } from '../../../core/errors.js';

export interface UpstreamRequest {
  /** Name used in messages, e.g. "SearXNG". */
  provider: string;
  url: URL;
  headers: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: unknown;
}

/** Provider answers are small; this only stops a misbehaving endpoint from filling memory. */
const MAX_UPSTREAM_BYTES = 5 * 1024 * 1024;

/**
 * GET an operator-configured provider endpoint. The SSRF guard does not apply here: these URLs
 * come from the server's configuration, not from callers, and may well be on a private network.
 *
 * Security: redirects are refused rather than followed, so a provider (or anything in front of
 * it) cannot bounce the request, with its API key header, to another host. Messages never
 * contain the endpoint URL or the request headers.
 */
export async function getUpstream(request: UpstreamRequest): Promise<UpstreamResponse> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = AbortSignal.any([request.signal, timeout]);
  try {
    const response = await fetch(request.url, { method: 'GET', headers: request.headers, redirect: 'error', signal });
    const text = await readText(response, MAX_UPSTREAM_BYTES);
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json };
  } catch (error) {
    if (timeout.aborted) {
      throw new ToolError(
        'TIMEOUT',
        `${request.provider} did not answer within ${request.timeoutMs} ms. Try again, or use another provider.`,
      );
    }
    if (request.signal.aborted) throw new ToolError('CANCELLED', 'The request was cancelled.');
    if (error instanceof ToolError) throw error;
    throw new ToolError(
      'UPSTREAM_ERROR',
      `${request.provider} could not be reached (${reason(error)}). Try again later, or use another provider.`,
    );
  }
}

async function readText(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new ToolError('UPSTREAM_ERROR', 'The search provider sent an oversized answer.');
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  if (cause?.message?.includes('redirect')) return 'it answered with a redirect; configure its final address';
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    default:
      return 'network error';
  }
}

import { AuthUnavailableError } from './errors.js';

/** The answer of one HTTP call to the authorization server. */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

const MAX_BYTES = 256 * 1024;

/**
 * Calls the authorization server with a time limit and a size cap. Network failures and
 * unreadable bodies become AuthUnavailableError; the status is left to the caller to judge.
 */
export async function fetchJson(url: string, init: RequestInit & { timeoutMs: number }): Promise<JsonAnswer> {
  const { timeoutMs, ...requestInit } = init;
  // Security: redirects are refused unless a caller opts in, so client credentials sent to the
  // introspection endpoint are never replayed to wherever a redirect points.
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'error', ...requestInit, signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw new AuthUnavailableError(`The authorization server did not answer at ${url}.`, { cause });
  }
  const text = await response.text().catch(() => '');
  if (text.length > MAX_BYTES) throw new AuthUnavailableError(`The authorization server's answer at ${url} is too large.`);
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Security: removes every configured secret from text that came from (or goes to) an upstream,
 * so an API key echoed back in an error body never reaches a caller or the log.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** Upstream prose for an error message: secrets removed, one line, bounded. */
export function upstreamDetail(text: unknown, secrets: readonly string[], max = 300): string | undefined {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  const line = redact(text, secrets).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

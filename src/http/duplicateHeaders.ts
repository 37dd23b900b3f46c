import type { IncomingMessage } from 'node:http';

/**
 * Headers that name who the caller is or where the request goes. Node keeps only the first copy of
 * a repeated Authorization or Host header, while a proxy in front may use the last one.
 */
const SINGLE_VALUED = new Set(['authorization', 'proxy-authorization', 'host', 'origin']);

/**
 * The first credential or routing header the request repeats, if any (read from the raw headers,
 * since Node's parsed `req.headers` already dropped the extra copies).
 */
export function repeatedCredentialHeader(req: IncomingMessage): string | undefined {
  const seen = new Set<string>();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!SINGLE_VALUED.has(name)) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

import { ConfigError, readList, type Env } from './env.js';

/**
 * Reads a list of internal hosts an SSRF-guarded fetcher may reach (FETCH_ALLOWED_HOSTS,
 * OAUTH_METADATA_ALLOWED_HOSTS) as the `host:port` targets it opens: `host:port` opens that port,
 * a bare host only `defaultPorts`. The host is spelled exactly as the WHATWG URL parser spells a
 * request's host (lower case, `0x7f.1` → `127.0.0.1`, IPv6 in brackets, no trailing dot), so the
 * comparison cannot be dodged by writing the same host differently; web/resolveTarget builds the
 * same key from each URL it is about to fetch.
 * Security: an allowed internal host must not mean every service on it (a redirect to
 * `127.0.0.1:6379` would reach Redis), so ports are opened one by one.
 */
export function readAllowedTargets(env: Env, variable: string, defaultPorts: number[]): string[] {
  return [...new Set(readList(env, variable).flatMap((entry) => allowedTargets(variable, entry, defaultPorts)))];
}

function allowedTargets(variable: string, entry: string, defaultPorts: number[]): string[] {
  const wrong = () => new ConfigError(variable, 'comma-separated host names or IP addresses, each optionally with :port', entry);
  const match = /^(\[[^\]]*\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(entry);
  if (!match) throw wrong();
  let url: URL;
  try {
    url = new URL(`http://${match[1]}/`);
  } catch {
    throw wrong();
  }
  if (url.username || url.password || url.port || url.pathname !== '/' || url.search || url.hash) {
    throw new ConfigError(variable, 'host names or IP addresses (optionally :port) without scheme, path or credentials', entry);
  }
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65535)) throw wrong();
  const host = url.hostname.replace(/\.$/, '');
  return (port === undefined ? defaultPorts : [port]).map((p) => `${host}:${p}`);
}

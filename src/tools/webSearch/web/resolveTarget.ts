import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ToolError } from '../../../core/errors.js';
import { isPublicAddress } from './isPublicAddress.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name → addresses. Injectable so tests can play a DNS server without one. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** `[::1]` → `::1`, `Example.COM.` → `example.com`: the form allow-list entries are stored in. */
export function hostKey(url: URL): string {
  return url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/**
 * The `host:port` key FETCH_ALLOWED_HOSTS entries are stored as (config/search.ts spells them the
 * same way): the URL parser's host name without a trailing dot, and the port the socket will use.
 */
export function targetKey(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname.replace(/\.$/, '').toLowerCase()}:${port}`;
}

/**
 * Resolves the URL's host once and returns the one address the request must connect to.
 *
 * Security: every address the name resolves to must be public (not just the first), unless the
 * host and port are on FETCH_ALLOWED_HOSTS (a host named without a port opens only 80 and 443). The caller connects to exactly the returned address, so a DNS
 * server that answers differently on a second lookup (DNS rebinding) cannot change the target
 * after the check.
 */
export async function resolveTarget(url: URL, allowedTargets: ReadonlySet<string>, resolve: Resolver): Promise<ResolvedAddress> {
  const host = hostKey(url);
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolve(host);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) {
      throw new ToolError(
        'UPSTREAM_ERROR',
        `The host "${host}" could not be resolved. Check the URL, or search again for a working link.`,
        { reason: 'unresolved' },
      );
    }
  }
  if (!allowedTargets.has(targetKey(url))) {
    for (const { address } of addresses) {
      if (!isPublicAddress(address)) {
        throw new ToolError(
          'FORBIDDEN',
          `fetch refused ${url.protocol}//${url.host}: it points to a loopback, private, link-local or otherwise non-public address, which this server never connects to. Only public web pages can be fetched (an operator can allow specific internal hosts with FETCH_ALLOWED_HOSTS; a host listed without a port opens only ports 80 and 443).`,
          { reason: 'non_public_address' },
        );
      }
    }
  }
  return addresses[0]!;
}

import { isIP } from 'node:net';

/**
 * The whole "may fetch connect here?" decision for one IP address, as a pure function.
 *
 * Security: only globally routable unicast addresses pass. Everything a server-side request could
 * use to reach this machine or its network is refused: loopback, private and shared (CGNAT)
 * ranges, link-local (cloud metadata at 169.254.169.254), "this network" 0.0.0.0/8, multicast,
 * reserved and documentation ranges, and on IPv6 everything outside 2000::/3 (ULA fc00::/7,
 * link-local fe80::/10, IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96) plus the special
 * ranges inside it. NAT64 (64:ff9b::/96) passes only when the IPv4 address it embeds is public.
 * Anything that is not a canonical IP literal (e.g. `0177.0.0.1`) is refused.
 */
export function isPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return isPublicIPv4(parseIPv4(ip)!);
  if (family === 6) {
    const hextets = parseIPv6(ip);
    return hextets !== undefined && isPublicIPv6(hextets);
  }
  return false;
}

/** [network, prefix length] pairs of IPv4 space that is not publicly routable. */
const IPV4_NON_PUBLIC: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on many systems
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (CGNAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata endpoints
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including 255.255.255.255 broadcast
];

const IPV4_RANGES = IPV4_NON_PUBLIC.map(([network, bits]) => {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (parseIPv4(network)! & mask) >>> 0, mask };
});

function isPublicIPv4(value: number): boolean {
  return !IPV4_RANGES.some(({ base, mask }) => (value & mask) >>> 0 === base);
}

function isPublicIPv6(h: number[]): boolean {
  // NAT64 well-known prefix 64:ff9b::/96 carries an IPv4 address in its last 32 bits.
  if (h[0] === 0x64 && h[1] === 0xff9b && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0) {
    return isPublicIPv4(((h[6]! << 16) | h[7]!) >>> 0);
  }
  // Only global unicast 2000::/3 is public; this excludes ::, ::1, ::ffff:a.b.c.d, fc00::/7,
  // fe80::/10, fec0::/10, ff00::/8 and 64:ff9b:1::/48 in one rule.
  if ((h[0]! & 0xe000) !== 0x2000) return false;
  if (h[0] === 0x2001 && h[1]! < 0x200) return false; // 2001::/23 IETF special (Teredo, ORCHID, benchmarking)
  if (h[0] === 0x2001 && h[1] === 0xdb8) return false; // 2001:db8::/32 documentation
  if (h[0] === 0x2002) return false; // 6to4: tunnels to an embedded IPv4 address; deprecated
  if (h[0] === 0x3fff && h[1]! < 0x1000) return false; // 3fff::/20 documentation
  return true;
}

function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value >>> 0;
}

/** Eight 16-bit groups, or undefined. Accepts `::` compression, a dotted IPv4 tail and a zone id. */
function parseIPv6(ip: string): number[] | undefined {
  let s = ip.toLowerCase();
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  let v4Tail: number | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) !== -1) {
    v4Tail = parseIPv4(s.slice(lastColon + 1));
    if (v4Tail === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const hextets: number[] = [];
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return undefined;
    hextets.push(parseInt(group, 16));
  }
  if (v4Tail !== undefined) {
    hextets[6] = v4Tail >>> 16;
    hextets[7] = v4Tail & 0xffff;
  }
  return hextets;
}

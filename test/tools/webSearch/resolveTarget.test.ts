import { describe, expect, it } from 'vitest';
import { parseSearchConfig } from '../../../src/config/search.js';
import { resolveTarget, type Resolver } from '../../../src/tools/webSearch/web/resolveTarget.js';
import { parseWebUrl } from '../../../src/tools/webSearch/web/safeFetch.js';
import { rejectsWith } from './helpers.js';

// No test here opens a connection: resolveTarget only decides, and DNS is a stub.
const stub = (answers: Record<string, string[]>): Resolver & { calls: string[] } => {
  const calls: string[] = [];
  const resolver = async (host: string) => {
    calls.push(host);
    const found = answers[host];
    if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: (address.includes(':') ? 6 : 4) as 4 | 6 }));
  };
  return Object.assign(resolver, { calls });
};
const none = new Set<string>();

describe('resolveTarget (the resolver step of the SSRF guard)', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/',
    'http://10.0.0.1/',
    'http://192.168.0.1:8080/',
    'http://0x7f.1/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://0/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://[64:ff9b::a00:1]/',
  ])('refuses the IP literal in %s without asking DNS', async (raw) => {
    const dns = stub({});
    const error = await rejectsWith(resolveTarget(parseWebUrl(raw), none, dns), 'FORBIDDEN');
    expect(error.message).toMatch(/non-public address/);
    expect(dns.calls).toEqual([]);
  });

  it('refuses a name that resolves to a private address', async () => {
    await rejectsWith(resolveTarget(new URL('http://intranet.example/'), none, stub({ 'intranet.example': ['10.1.2.3'] })), 'FORBIDDEN');
  });

  it('refuses a name when any of its addresses is private, even if the first is public', async () => {
    const dns = stub({ 'mixed.example': ['93.184.215.14', '127.0.0.1'] });
    await rejectsWith(resolveTarget(new URL('https://mixed.example/'), none, dns), 'FORBIDDEN');
  });

  it('refuses a name answering with an IPv4-mapped IPv6 loopback', async () => {
    await rejectsWith(
      resolveTarget(new URL('http://sneaky.example/'), none, stub({ 'sneaky.example': ['::ffff:127.0.0.1'] })),
      'FORBIDDEN',
    );
  });

  it('does not name the resolved address in the error', async () => {
    const error = await rejectsWith(
      resolveTarget(new URL('http://intranet.example/'), none, stub({ 'intranet.example': ['10.9.8.7'] })),
      'FORBIDDEN',
    );
    expect(error.message).not.toContain('10.9.8.7');
  });

  it('returns the checked public address, resolving once', async () => {
    const dns = stub({ 'public.example': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'] });
    await expect(resolveTarget(new URL('https://public.example/a'), none, dns)).resolves.toEqual({ address: '93.184.215.14', family: 4 });
    expect(dns.calls).toEqual(['public.example']);
  });

  it('reports a name that does not resolve as an upstream error', async () => {
    await rejectsWith(resolveTarget(new URL('http://nowhere.example/'), none, stub({})), 'UPSTREAM_ERROR');
  });

  it('lets FETCH_ALLOWED_HOSTS open a named private host, and only that host', async () => {
    const allowed = new Set(parseSearchConfig({ FETCH_ALLOWED_HOSTS: 'Wiki.Internal., 0x0a.1' }).fetchAllowedTargets);
    const dns = stub({ 'wiki.internal': ['10.0.0.5'], 'other.internal': ['10.0.0.6'] });
    await expect(resolveTarget(new URL('http://wiki.internal/page'), allowed, dns)).resolves.toEqual({ address: '10.0.0.5', family: 4 });
    // 0x0a.1 was normalised to 10.0.0.1, so every spelling of that address is allowed, no other.
    await expect(resolveTarget(new URL('http://10.0.0.1/'), allowed, dns)).resolves.toMatchObject({ address: '10.0.0.1' });
    await expect(resolveTarget(new URL('http://167772161/'), allowed, dns)).resolves.toMatchObject({ address: '10.0.0.1' });
    await rejectsWith(resolveTarget(new URL('http://other.internal/'), allowed, dns), 'FORBIDDEN');
    await rejectsWith(resolveTarget(new URL('http://10.0.0.2/'), allowed, dns), 'FORBIDDEN');
  });

  it('matches allow-listed IPv6 hosts, on the named port only', async () => {
    const allowed = new Set(parseSearchConfig({ FETCH_ALLOWED_HOSTS: '[fd00::5]:8080' }).fetchAllowedTargets);
    await expect(resolveTarget(new URL('http://[fd00::5]:8080/'), allowed, stub({}))).resolves.toEqual({ address: 'fd00::5', family: 6 });
    await expect(resolveTarget(new URL('http://[FD00:0::5]:8080/'), allowed, stub({}))).resolves.toEqual({ address: 'fd00::5', family: 6 });
    await rejectsWith(resolveTarget(new URL('http://[fd00::5]/'), allowed, stub({})), 'FORBIDDEN');
    await rejectsWith(resolveTarget(new URL('https://[fd00::5]:8081/'), allowed, stub({})), 'FORBIDDEN');
  });

  it('a host named without a port opens ports 80 and 443 only, whatever the scheme says', async () => {
    const allowed = new Set(parseSearchConfig({ FETCH_ALLOWED_HOSTS: '127.0.0.1,wiki.internal' }).fetchAllowedTargets);
    const dns = stub({ 'wiki.internal': ['10.0.0.5'] });
    for (const ok of [
      'http://127.0.0.1/',
      'https://127.0.0.1/',
      'http://127.0.0.1:443/',
      'https://wiki.internal:80/',
      'http://wiki.internal:80/',
    ]) {
      await expect(resolveTarget(new URL(ok), allowed, dns)).resolves.toBeDefined();
    }
    for (const refused of [
      'http://127.0.0.1:6379/',
      'http://127.0.0.1:5432/',
      'https://127.0.0.1:8443/',
      'http://wiki.internal:8080/',
      'http://127.0.0.1:0080x/',
    ]) {
      let url: URL;
      try {
        url = new URL(refused);
      } catch {
        continue;
      }
      await rejectsWith(resolveTarget(url, allowed, dns), 'FORBIDDEN');
    }
  });
});

describe('parseWebUrl', () => {
  it.each(['file:///etc/passwd', 'gopher://127.0.0.1:6379/_INFO', 'data:text/plain,hi', 'ftp://example.com/x', 'javascript:alert(1)'])(
    'refuses the non-http(s) URL %s',
    (raw) => {
      expect(() => parseWebUrl(raw)).toThrow(/only reads http/);
    },
  );

  it('refuses URLs carrying credentials', () => {
    expect(() => parseWebUrl('https://user:secret@example.com/')).toThrow(/credentials/);
  });
});

import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../../src/config/index.js';
import { createWebSearchModule } from '../../../src/tools/webSearch/index.js';
import { systemResolver, type Resolver } from '../../../src/tools/webSearch/web/resolveTarget.js';
import { createToolHarness, type ToolHarness } from '../../helpers/toolHarness.js';
import { rejectsWith, startLoopbackServer, type LoopbackServer } from './helpers.js';

// Every server here listens on 127.0.0.1; names used in URLs resolve (via the stub) to 127.0.0.1.
const resolver: Resolver & { calls: string[] } = Object.assign(
  async (host: string) => {
    resolver.calls.push(host);
    if (host === 'allowed.test' || host === 'other.test') return [{ address: '127.0.0.1', family: 4 as const }];
    if (host === 'localhost') return systemResolver(host);
    throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  },
  { calls: [] as string[] },
);

let server: LoopbackServer;
/** A second internal service on the same host: a port FETCH_ALLOWED_HOSTS never named. */
let other: LoopbackServer;
let harness: ToolHarness | undefined;

beforeAll(async () => {
  other = await startLoopbackServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('other internal service');
  });
  server = await startLoopbackServer((req, res) => {
    const port = server.port;
    const url = new URL(req.url ?? '/', 'http://x');
    switch (url.pathname) {
      case '/page':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          '<html><head><title>Quarterly report</title><script>alert("x")</script><style>p{}</style></head><body><h1>Revenue</h1><p>Revenue grew <b>12%</b>.</p></body></html>',
        );
        return;
      case '/latin1':
        res.writeHead(200, { 'content-type': 'text/plain; charset=iso-8859-1' });
        res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9])); // "café"
        return;
      case '/json':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
        return;
      case '/big':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('x'.repeat(10_000));
        return;
      case '/endless': {
        // Never ends: proves the reader stops at the cap instead of waiting for the end.
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => res.write('y'.repeat(4096)), 1);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case '/bomb':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
        res.end(gzipSync(Buffer.alloc(20 * 1024 * 1024, 'a')));
        return;
      case '/image':
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
        return;
      case '/untyped':
        res.writeHead(200);
        res.end('no content type');
        return;
      case '/hang':
        return; // never answers
      case '/missing':
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('nope');
        return;
      case '/r1':
        res.writeHead(302, { location: '/r2' });
        res.end();
        return;
      case '/r2':
        res.writeHead(301, { location: `http://allowed.test:${port}/page` });
        res.end();
        return;
      case '/loop':
        res.writeHead(302, { location: '/loop' });
        res.end();
        return;
      case '/to-loopback':
        res.writeHead(302, { location: `http://127.0.0.1:${port}/secret` });
        res.end();
        return;
      case '/to-mapped':
        res.writeHead(307, { location: `http://[::ffff:127.0.0.1]:${port}/secret` });
        res.end();
        return;
      case '/to-decimal':
        res.writeHead(308, { location: `http://2130706433:${port}/secret` });
        res.end();
        return;
      case '/to-other-name':
        res.writeHead(302, { location: `http://other.test:${port}/secret` });
        res.end();
        return;
      case '/to-redis':
        res.writeHead(302, { location: 'http://127.0.0.1:6379/' });
        res.end();
        return;
      case '/to-other-port':
        res.writeHead(302, { location: `http://allowed.test:${other.port}/secret` });
        res.end();
        return;
      case '/to-default-port':
        res.writeHead(302, { location: 'http://allowed.test/secret' });
        res.end();
        return;
      case '/to-file':
        res.writeHead(302, { location: 'file:///etc/passwd' });
        res.end();
        return;
      case '/secret':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('internal secret');
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  });
});

afterAll(async () => {
  await server.close();
  await other.close();
});

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  server.requests.length = 0;
  other.requests.length = 0;
  resolver.calls.length = 0;
});

async function tool(env: Env = {}): Promise<ToolHarness> {
  harness = await createToolHarness((toolEnv) => createWebSearchModule(toolEnv, { resolve: resolver }), {
    FETCH_WEB_ENABLED: 'true',
    SEARCH_RESCAN_INTERVAL_MS: '0',
    ...env,
  });
  return harness;
}

const hits = (path: string) => server.requests.filter((r) => r.url.startsWith(path)).length;

describe('fetch: the SSRF guard refuses what the server must never call', () => {
  it.each([
    ['loopback', (p: number) => `http://127.0.0.1:${p}/secret`],
    ['localhost (real DNS)', (p: number) => `http://localhost:${p}/secret`],
    ['decimal IPv4', (p: number) => `http://2130706433:${p}/secret`],
    ['octal IPv4', (p: number) => `http://0177.0.0.1:${p}/secret`],
    ['hex IPv4', (p: number) => `http://0x7f.1:${p}/secret`],
    ['short IPv4', (p: number) => `http://127.1:${p}/secret`],
    ['0.0.0.0', (p: number) => `http://0.0.0.0:${p}/secret`],
    ['IPv6 loopback', (p: number) => `http://[::1]:${p}/secret`],
    ['IPv4-mapped IPv6', (p: number) => `http://[::ffff:127.0.0.1]:${p}/secret`],
    ['url: id form', (p: number) => `url:http://127.0.0.1:${p}/secret`],
  ])('%s is refused and never contacted', async (_label, url) => {
    const h = await tool();
    const error = await rejectsWith(h.call('fetch', { id: url(server.port) }), 'FORBIDDEN');
    expect(error.message).toMatch(/FETCH_ALLOWED_HOSTS/);
    expect(hits('/secret')).toBe(0);
  });

  it.each(['file:///etc/passwd', 'gopher://127.0.0.1:6379/_FLUSHALL', 'data:text/plain,hello', 'ftp://example.com/'])(
    'refuses the scheme of %s',
    async (id) => {
      const h = await tool();
      // file: ids name workspace documents, so /etc/passwd is looked up inside the workspace and is not there.
      await rejectsWith(h.call('fetch', { id }), id.startsWith('file:') ? 'NOT_FOUND' : 'INVALID_PARAMS');
    },
  );

  it('the same loopback server is fetched once 127.0.0.1 is allow-listed', async () => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `127.0.0.1:${server.port}` });
    const result = (await h.call('fetch', { id: `http://127.0.0.1:${server.port}/secret` })) as { text: string };
    expect(result.text).toBe('internal secret');
  });

  it.each([
    ['a bare host (ports 80 and 443 only)', (_p: number) => '127.0.0.1'],
    ['another port on the host', (p: number) => `127.0.0.1:${p === 1 ? 2 : p - 1}`],
    ['the port with another host', (p: number) => `127.0.0.2:${p}`],
  ])('an allow-list entry naming %s does not open the test server', async (_label, entry) => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: entry(server.port) });
    const error = await rejectsWith(h.call('fetch', { id: `http://127.0.0.1:${server.port}/secret` }), 'FORBIDDEN');
    expect(error.message).toMatch(/without a port opens only ports 80 and 443/);
    expect(hits('/secret')).toBe(0);
  });

  it('an entry with several ports opens each named port', async () => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `127.0.0.1:${other.port}, 127.0.0.1:${server.port}` });
    expect(((await h.call('fetch', { id: `http://127.0.0.1:${server.port}/secret` })) as { text: string }).text).toBe('internal secret');
    expect(((await h.call('fetch', { id: `http://127.0.0.1:${other.port}/x` })) as { text: string }).text).toBe('other internal service');
  });

  it('refuses every URL when web fetching is off', async () => {
    const h = await tool({ FETCH_WEB_ENABLED: 'false', FETCH_ALLOWED_HOSTS: `127.0.0.1:${server.port}` });
    await rejectsWith(h.call('fetch', { id: `http://127.0.0.1:${server.port}/page` }), 'FORBIDDEN');
    expect(server.requests).toHaveLength(0);
  });

  it('connects to the address it checked, without a second DNS lookup', async () => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `allowed.test:${server.port}` });
    const result = (await h.call('fetch', { id: `http://allowed.test:${server.port}/json` })) as { text: string };
    expect(result.text).toBe('{"ok":true}');
    // The system resolver knows nothing of allowed.test: the socket used the stub's checked answer.
    expect(resolver.calls).toEqual(['allowed.test']);
    expect(server.requests[0]!.headers.host).toBe(`allowed.test:${server.port}`);
  });
});

describe('fetch: redirects are checked hop by hop', () => {
  it('follows redirects within allowed hosts and reports the final URL', async () => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `allowed.test:${server.port}` });
    const result = (await h.call('fetch', { id: `http://allowed.test:${server.port}/r1` })) as {
      url: string;
      title: string;
      metadata: Record<string, unknown>;
    };
    expect(result.url).toBe(`http://allowed.test:${server.port}/page`);
    expect(result.title).toBe('Quarterly report');
    expect(result.metadata.redirects).toBe(2);
  });

  it.each(['/to-loopback', '/to-mapped', '/to-decimal', '/to-other-name'])(
    'refuses a redirect (%s) to a host that is not allowed',
    async (path) => {
      const h = await tool({ FETCH_ALLOWED_HOSTS: `allowed.test:${server.port}` });
      await rejectsWith(h.call('fetch', { id: `http://allowed.test:${server.port}${path}` }), 'FORBIDDEN');
      expect(hits('/secret')).toBe(0);
    },
  );

  it.each(['/to-redis', '/to-other-port', '/to-default-port'])(
    'refuses a redirect (%s) to a port of the allowed host that was not named',
    async (path) => {
      const h = await tool({ FETCH_ALLOWED_HOSTS: `allowed.test:${server.port}` });
      await rejectsWith(h.call('fetch', { id: `http://allowed.test:${server.port}${path}` }), 'FORBIDDEN');
      expect(other.requests).toHaveLength(0);
    },
  );

  it('refuses a redirect to 127.0.0.1:6379 even with 127.0.0.1 allowed (its default ports only)', async () => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `127.0.0.1, allowed.test:${server.port}` });
    const error = await rejectsWith(h.call('fetch', { id: `http://allowed.test:${server.port}/to-redis` }), 'FORBIDDEN');
    expect(error.message).toMatch(/FETCH_ALLOWED_HOSTS/);
  });

  it('refuses a redirect to a file: URL', async () => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `allowed.test:${server.port}` });
    const error = await rejectsWith(h.call('fetch', { id: `http://allowed.test:${server.port}/to-file` }), 'FORBIDDEN');
    expect(error.message).toMatch(/only reads http/);
  });

  it('stops after FETCH_MAX_REDIRECTS', async () => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `allowed.test:${server.port}`, FETCH_MAX_REDIRECTS: '3' });
    const error = await rejectsWith(h.call('fetch', { id: `http://allowed.test:${server.port}/loop` }), 'UPSTREAM_ERROR');
    expect(error.message).toMatch(/more than 3 times/);
    expect(hits('/loop')).toBe(4);
  });
});

describe('fetch: caps and content', () => {
  it('turns HTML into readable text without markup, scripts or styles', async () => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `127.0.0.1:${server.port}` });
    const id = `http://127.0.0.1:${server.port}/page`;
    const result = (await h.call('fetch', { id })) as Record<string, any>;
    expect(result).toMatchObject({
      id,
      title: 'Quarterly report',
      url: id,
      metadata: { source: 'web', contentType: 'text/html', truncated: false },
    });
    expect(result.text).toContain('Revenue grew 12%.');
    expect(result.text).not.toMatch(/<|alert|p\{\}/);
    expect(h.registry.byMcpName('fetch')!.validateOutput(result)).toBe(true);
  });

  it('decodes the declared charset', async () => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `127.0.0.1:${server.port}` });
    const result = (await h.call('fetch', { id: `http://127.0.0.1:${server.port}/latin1` })) as { text: string };
    expect(result.text).toBe('café');
  });

  it('keeps at most FETCH_MAX_BYTES and says the text was truncated', async () => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `127.0.0.1:${server.port}`, FETCH_MAX_BYTES: '1024' });
    const result = (await h.call('fetch', { id: `http://127.0.0.1:${server.port}/big` })) as {
      text: string;
      metadata: Record<string, unknown>;
    };
    expect(result.text).toHaveLength(1024);
    expect(result.metadata.truncated).toBe(true);
  });

  it('stops reading a body that never ends once the cap is reached', async () => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `127.0.0.1:${server.port}`, FETCH_MAX_BYTES: '8192', FETCH_TIMEOUT_MS: '10000' });
    const result = (await h.call('fetch', { id: `http://127.0.0.1:${server.port}/endless` })) as {
      text: string;
      metadata: Record<string, unknown>;
    };
    expect(result.text).toHaveLength(8192);
    expect(result.metadata.truncated).toBe(true);
  });

  it('caps decompressed bytes, so a gzip bomb stays small', async () => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `127.0.0.1:${server.port}`, FETCH_MAX_BYTES: '4096' });
    const result = (await h.call('fetch', { id: `http://127.0.0.1:${server.port}/bomb` })) as {
      text: string;
      metadata: Record<string, unknown>;
    };
    expect(result.text).toBe('a'.repeat(4096));
    expect(result.metadata.truncated).toBe(true);
  });

  it.each(['/image', '/untyped'])('refuses a non-text content type (%s)', async (path) => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `127.0.0.1:${server.port}` });
    const error = await rejectsWith(h.call('fetch', { id: `http://127.0.0.1:${server.port}${path}` }), 'UPSTREAM_ERROR');
    expect(error.message).toMatch(/only reads text, HTML, JSON and XML/);
  });

  it('gives up after FETCH_TIMEOUT_MS', async () => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `127.0.0.1:${server.port}`, FETCH_TIMEOUT_MS: '300' });
    const error = await rejectsWith(h.call('fetch', { id: `http://127.0.0.1:${server.port}/hang` }), 'TIMEOUT');
    expect(error.message).toMatch(/300 ms/);
  });

  it('reports a 404 as NOT_FOUND', async () => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `127.0.0.1:${server.port}` });
    await rejectsWith(h.call('fetch', { id: `http://127.0.0.1:${server.port}/missing` }), 'NOT_FOUND');
  });

  it('reports a refused connection as an upstream error', async () => {
    const closed = await startLoopbackServer(() => {});
    await closed.close();
    const h = await tool({ FETCH_ALLOWED_HOSTS: `127.0.0.1:${closed.port}` });
    const error = await rejectsWith(h.call('fetch', { id: `http://127.0.0.1:${closed.port}/` }), 'UPSTREAM_ERROR');
    expect(error.message).toMatch(/refused/);
  });

  it('caches fetched pages under their own tag, not the workspace tag', async () => {
    const h = await tool({ FETCH_ALLOWED_HOSTS: `127.0.0.1:${server.port}` });
    const id = `http://127.0.0.1:${server.port}/json`;
    await h.call('fetch', { id });
    expect((await h.callRaw('fetch', { id })).cached).toBe(true);
    await h.cache.invalidate(['fs:*']);
    expect((await h.callRaw('fetch', { id })).cached).toBe(true);
    expect(hits('/json')).toBe(1);
  });
});

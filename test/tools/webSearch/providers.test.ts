import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../../src/config/index.js';
import { createWebSearchModule } from '../../../src/tools/webSearch/index.js';
import { createToolHarness, type ToolHarness } from '../../helpers/toolHarness.js';
import { captureLogger, rejectsWith, sendJson, startLoopbackServer, type LoopbackServer } from './helpers.js';

const BRAVE_KEY = 'BSA-test-key-0123456789abcdef';
const SEARX_PASSWORD = 'searx-pass-9876543210';

/** What the fake upstream answers next, set per test. */
let reply: (url: URL, req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
let upstream: LoopbackServer;
let harness: ToolHarness | undefined;
let logLines: string[] = [];

beforeAll(async () => {
  upstream = await startLoopbackServer((req, res) => reply(new URL(req.url ?? '/', 'http://x'), req, res));
});
afterAll(async () => {
  await upstream.close();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  upstream.requests.length = 0;
});

async function tool(env: Env): Promise<ToolHarness> {
  const capture = captureLogger();
  logLines = capture.lines;
  harness = await createToolHarness((toolEnv) => createWebSearchModule({ ...toolEnv, logger: capture.logger }), {
    SEARCH_RESCAN_INTERVAL_MS: '0',
    ...env,
  });
  return harness;
}

// The documented SearXNG JSON answer (trimmed): https://docs.searxng.org/dev/search_api.html
const searxngAnswer = {
  query: 'mcp servers',
  number_of_results: 0,
  results: [
    {
      url: 'https://modelcontextprotocol.io/',
      title: 'Model Context Protocol',
      content: 'An <b>open</b> protocol…',
      engine: 'duckduckgo',
      parsed_url: ['https', 'modelcontextprotocol.io', '/', '', '', ''],
      template: 'default.html',
      engines: ['duckduckgo'],
      positions: [1],
      score: 1,
      category: 'general',
    },
    {
      url: 'https://modelcontextprotocol.io/',
      title: 'duplicate',
      content: '',
      engine: 'bing',
      engines: ['bing'],
      positions: [2],
      score: 0.5,
      category: 'general',
    },
    {
      url: 'https://github.com/modelcontextprotocol/servers',
      title: 'MCP servers',
      content: 'Reference servers',
      engine: 'google',
      engines: ['google'],
      positions: [3],
      score: 0.4,
      category: 'general',
    },
    {
      url: 'magnet:?xt=urn:btih:abc',
      title: 'not a web page',
      content: '',
      engine: 'x',
      engines: ['x'],
      positions: [4],
      score: 0.1,
      category: 'files',
    },
    {
      url: 'https://example.org/third',
      title: 'Third',
      engine: 'google',
      engines: ['google'],
      positions: [5],
      score: 0.1,
      category: 'general',
    },
  ],
  answers: [],
  corrections: [],
  infoboxes: [],
  suggestions: [],
  unresponsive_engines: [],
};

describe('searxng provider (loopback stand-in)', () => {
  const env = () => ({ SEARCH_PROVIDER: 'searxng', SEARXNG_URL: `http://searx:${SEARX_PASSWORD}@127.0.0.1:${upstream.port}/base` });

  it('queries the JSON API and maps results to search results', async () => {
    reply = (_url, _req, res) => sendJson(res, 200, searxngAnswer);
    const h = await tool(env());
    const result = await h.call('search', { query: 'mcp servers', limit: 3 });
    expect(result).toEqual({
      results: [
        {
          id: 'https://modelcontextprotocol.io/',
          title: 'Model Context Protocol',
          url: 'https://modelcontextprotocol.io/',
          snippet: 'An open protocol…',
        },
        {
          id: 'https://github.com/modelcontextprotocol/servers',
          title: 'MCP servers',
          url: 'https://github.com/modelcontextprotocol/servers',
          snippet: 'Reference servers',
        },
        { id: 'https://example.org/third', title: 'Third', url: 'https://example.org/third' },
      ],
    });
    expect(h.registry.byMcpName('search')!.validateOutput(result)).toBe(true);
    const sent = new URL(upstream.requests[0]!.url, 'http://x');
    expect(sent.pathname).toBe('/base/search');
    expect(sent.searchParams.get('q')).toBe('mcp servers');
    expect(sent.searchParams.get('format')).toBe('json');
    expect(upstream.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`searx:${SEARX_PASSWORD}`).toString('base64')}`);
  });

  it('says how to enable the JSON API when SearXNG answers 403', async () => {
    reply = (_url, _req, res) => {
      res.writeHead(403, { 'content-type': 'text/html' });
      res.end('<html><body>403 Forbidden</body></html>');
    };
    const h = await tool(env());
    const error = await rejectsWith(h.call('search', { query: 'x' }), 'UPSTREAM_ERROR');
    expect(error.message).toMatch(/search\.formats/);
  });

  it('maps its limiter (429) to RATE_LIMITED', async () => {
    reply = (_url, _req, res) => {
      res.writeHead(429, { 'content-type': 'text/plain' });
      res.end('Too Many Requests');
    };
    const h = await tool(env());
    await rejectsWith(h.call('search', { query: 'x' }), 'RATE_LIMITED');
  });

  it('maps a server error and a non-JSON answer to UPSTREAM_ERROR', async () => {
    reply = (_url, _req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('boom');
    };
    const h = await tool(env());
    await rejectsWith(h.call('search', { query: 'x' }), 'UPSTREAM_ERROR');
    reply = (_url, _req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>not json</html>');
    };
    await rejectsWith(h.call('search', { query: 'y' }), 'UPSTREAM_ERROR');
  });

  it('times out after SEARCH_TIMEOUT_MS', async () => {
    reply = () => {}; // never answers
    const h = await tool({ ...env(), SEARCH_TIMEOUT_MS: '200' });
    const error = await rejectsWith(h.call('search', { query: 'x' }), 'TIMEOUT');
    expect(error.message).toMatch(/SearXNG did not answer within 200 ms/);
  });

  it('reports an unreachable instance, refuses redirects, and never shows its password', async () => {
    const gone = await startLoopbackServer(() => {});
    await gone.close();
    const h = await tool({ SEARCH_PROVIDER: 'searxng', SEARXNG_URL: `http://searx:${SEARX_PASSWORD}@127.0.0.1:${gone.port}/` });
    const refused = await rejectsWith(h.call('search', { query: 'x' }), 'UPSTREAM_ERROR');
    expect(refused.message).toMatch(/could not be reached \(connection refused\)/);
    expect(JSON.stringify({ m: refused.message, d: refused.details })).not.toContain(SEARX_PASSWORD);
    expect(logLines.join('\n')).not.toContain(SEARX_PASSWORD);
  });

  it('does not follow a redirect (which could carry credentials elsewhere)', async () => {
    reply = (_url, _req, res) => {
      res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
      res.end();
    };
    const h = await tool(env());
    const error = await rejectsWith(h.call('search', { query: 'x' }), 'UPSTREAM_ERROR');
    expect(error.message).toMatch(/redirect/);
  });
});

// The documented Brave web-search answer (trimmed): https://api-dashboard.search.brave.com/app/documentation/web-search
const braveAnswer = {
  type: 'search',
  query: { original: 'mcp', more_results_available: true },
  mixed: { type: 'mixed', main: [{ type: 'web', index: 0, all: false }] },
  web: {
    type: 'search',
    results: [
      {
        type: 'search_result',
        title: 'Introducing the <strong>Model Context Protocol</strong>',
        url: 'https://www.anthropic.com/news/model-context-protocol',
        description: 'The <strong>Model Context Protocol</strong> is an open standard…',
        is_source_local: false,
        language: 'en',
        family_friendly: true,
        profile: { name: 'Anthropic' },
      },
      {
        type: 'search_result',
        title: 'MCP spec',
        url: 'https://modelcontextprotocol.io/specification',
        description: 'Specification',
        language: 'en',
      },
    ],
    family_friendly: true,
  },
};

const braveError = (status: number, code: string, detail: string) => ({
  type: 'ErrorResponse',
  error: { id: '5d832250-9396-4f6e-b84a-2a1fe524cd7d', status, code, detail, meta: { component: 'api' } },
  time: 1663072993,
});

describe('brave provider (loopback stand-in)', () => {
  const env = (extra: Env = {}) => ({
    SEARCH_PROVIDER: 'brave',
    BRAVE_API_KEY: BRAVE_KEY,
    BRAVE_API_URL: `http://127.0.0.1:${upstream.port}/res/v1/web/search`,
    ...extra,
  });

  /** Everything a caller or the log could see, to prove the key is in none of it. */
  const exposed = (value: unknown) => JSON.stringify(value) + logLines.join('\n');

  it('sends the key as X-Subscription-Token and maps web results', async () => {
    reply = (_url, req, res) => {
      if (req.headers['x-subscription-token'] !== BRAVE_KEY)
        return sendJson(res, 422, braveError(422, 'SUBSCRIPTION_TOKEN_INVALID', 'The provided subscription token is invalid.'));
      sendJson(res, 200, braveAnswer);
    };
    const h = await tool(env());
    const result = await h.call('search', { query: 'model context protocol' });
    expect(result).toEqual({
      results: [
        {
          id: 'https://www.anthropic.com/news/model-context-protocol',
          title: 'Introducing the Model Context Protocol',
          url: 'https://www.anthropic.com/news/model-context-protocol',
          snippet: 'The Model Context Protocol is an open standard…',
        },
        {
          id: 'https://modelcontextprotocol.io/specification',
          title: 'MCP spec',
          url: 'https://modelcontextprotocol.io/specification',
          snippet: 'Specification',
        },
      ],
    });
    expect(upstream.requests[0]!.headers.accept).toBe('application/json');
    const sent = new URL(upstream.requests[0]!.url, 'http://x');
    expect(sent.pathname).toBe('/res/v1/web/search');
    expect(sent.searchParams.get('q')).toBe('model context protocol');
    expect(sent.searchParams.get('count')).toBe('10');
    expect(exposed(result)).not.toContain(BRAVE_KEY);
  });

  it('asks Brave for at most 20 results and returns an empty list when nothing matched', async () => {
    reply = (_url, _req, res) => sendJson(res, 200, { type: 'search', query: { original: 'zzz' } });
    const h = await tool(env());
    expect(await h.call('search', { query: 'zzz', limit: 50 })).toEqual({ results: [] });
    expect(new URL(upstream.requests[0]!.url, 'http://x').searchParams.get('count')).toBe('20');
  });

  it('reports a rejected key without revealing it', async () => {
    reply = (_url, _req, res) =>
      sendJson(res, 422, braveError(422, 'SUBSCRIPTION_TOKEN_INVALID', 'The provided subscription token is invalid.'));
    const h = await tool(env());
    const error = await rejectsWith(h.call('search', { query: 'x' }), 'UPSTREAM_ERROR');
    expect(error.message).toMatch(/BRAVE_API_KEY/);
    expect(error.details).toMatchObject({ provider: 'brave', status: 422, code: 'SUBSCRIPTION_TOKEN_INVALID' });
    expect(exposed({ message: error.message, details: error.details })).not.toContain(BRAVE_KEY);
  });

  it('maps the per-second limit (429 RATE_LIMITED) to RATE_LIMITED with the reset time', async () => {
    reply = (_url, _req, res) =>
      sendJson(res, 429, braveError(429, 'RATE_LIMITED', 'Request rate limit exceeded for plan.'), {
        'x-ratelimit-limit': '1, 15000',
        'x-ratelimit-remaining': '0, 14000',
        'x-ratelimit-reset': '1, 1419704',
      });
    const h = await tool(env());
    const error = await rejectsWith(h.call('search', { query: 'x' }), 'RATE_LIMITED');
    expect(error.details).toMatchObject({ retryAfterSeconds: 1 });
    expect(error.message).toMatch(/too many searches/);
  });

  it('maps an exhausted quota (429 QUOTA_LIMITED, `errors` array form) to RATE_LIMITED', async () => {
    reply = (_url, _req, res) =>
      sendJson(res, 429, {
        type: 'ErrorResponse',
        errors: [
          {
            id: 'x',
            code: 'QUOTA_LIMITED',
            detail: 'Request quota limit exceeded for plan.',
            status: 429,
            meta: { component: 'rate_limiter' },
          },
        ],
        time: 1,
      });
    const h = await tool(env());
    const error = await rejectsWith(h.call('search', { query: 'x' }), 'RATE_LIMITED');
    expect(error.message).toMatch(/quota is used up/);
  });

  it('maps a validation error to INVALID_PARAMS', async () => {
    reply = (_url, _req, res) => sendJson(res, 422, braveError(422, 'VALIDATION', 'Unable to validate request parameter(s)'));
    const h = await tool(env());
    const error = await rejectsWith(h.call('search', { query: 'x' }), 'INVALID_PARAMS');
    expect(error.message).toMatch(/Unable to validate request parameter/);
  });

  it('redacts the key when an upstream echoes it back', async () => {
    reply = (_url, _req, res) => sendJson(res, 500, braveError(500, 'INTERNAL', `token ${BRAVE_KEY} caused an error`));
    const h = await tool(env());
    const error = await rejectsWith(h.call('search', { query: 'x' }), 'UPSTREAM_ERROR');
    expect(error.message).toContain('[redacted]');
    expect(exposed({ message: error.message, details: error.details })).not.toContain(BRAVE_KEY);
  });

  it('times out after SEARCH_TIMEOUT_MS', async () => {
    reply = () => {};
    const h = await tool(env({ SEARCH_TIMEOUT_MS: '200' }));
    await rejectsWith(h.call('search', { query: 'x' }), 'TIMEOUT');
  });
});

describe('choosing a provider per call', () => {
  it('lets a call name any configured provider and refuses unconfigured ones', async () => {
    reply = (_url, _req, res) => sendJson(res, 200, braveAnswer);
    const h = await tool({ BRAVE_API_KEY: BRAVE_KEY, BRAVE_API_URL: `${upstream.origin}/web` });
    // Default stays local; brave is opt-in per call.
    expect(await h.call('search', { query: 'model context' })).toEqual({ results: [] });
    expect(upstream.requests).toHaveLength(0);
    const web = (await h.call('search', { query: 'model context', provider: 'brave' })) as { results: unknown[] };
    expect(web.results).toHaveLength(2);
    await rejectsWith(h.call('search', { query: 'x', provider: 'searxng' }), 'INVALID_PARAMS');
  });

  it('lists only configured providers in the input schema, and marks web access in openWorldHint', async () => {
    const local = await tool({});
    const localOp = local.registry.byMcpName('search')!.op;
    expect((localOp.inputSchema.properties as any).provider.enum).toEqual(['local']);
    expect(localOp.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    await local.close();
    harness = undefined;
    const web = await tool({ SEARXNG_URL: upstream.origin });
    expect((web.registry.byMcpName('search')!.op.inputSchema.properties as any).provider.enum).toEqual(['local', 'searxng']);
    expect(web.registry.byMcpName('fetch')!.op.annotations.openWorldHint).toBe(true);
  });

  it('caches web results under the provider tag, untouched by workspace writes', async () => {
    reply = (_url, _req, res) => sendJson(res, 200, searxngAnswer);
    const h = await tool({ SEARCH_PROVIDER: 'searxng', SEARXNG_URL: upstream.origin });
    await h.call('search', { query: 'mcp' });
    await h.cache.invalidate(['fs:*']);
    expect((await h.callRaw('search', { query: 'mcp' })).cached).toBe(true);
    await h.cache.invalidate(['search:searxng']);
    expect((await h.callRaw('search', { query: 'mcp' })).cached).toBe(false);
    expect(upstream.requests).toHaveLength(2);
  });
});

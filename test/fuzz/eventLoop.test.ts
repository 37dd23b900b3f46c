import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineBlock, callTool, confirmedMaxBlock, type Dialect } from '../helpers/eventLoop.js';
import { envelope, postJson, startServer, type TestServer } from '../helpers/server.js';

/**
 * Property (issue #18): no request, of any tool, in either dialect, keeps the event loop busy for
 * more than ~100 ms at a time. A fuzzer throws generated globs, edits, queries, HTML and bodies at
 * every operation that matches, parses or diffs caller text, and the longest single event-loop
 * block (perf_hooks.monitorEventLoopDelay) must stay under the bound.
 *
 * Robust on a loaded 2-core machine: the bound is 100 ms plus the scheduling noise a CPU-busy
 * no-op showed in this same run (test/helpers/eventLoop.ts baselineBlock), and a block over it
 * counts only when the same input blocks again on two retries (see confirmedMaxBlock). Budget: about 30 s in CI with the fixed seed;
 * `npm run fuzz` runs it with FUZZ_RUNS and a fresh FUZZ_SEED. Database cases can be added as
 * one more `fuzzOperation(...)` each.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const SCALE = Number(process.env.FUZZ_RUNS ?? 60) / 60;
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const BOUND_MS = 100;

let server: TestServer;
let limitMs: number;

function fixtures(ws: string): void {
  // Long names and deep paths: what the hostile globs of the issue were run against.
  mkdirSync(path.join(ws, 'names'));
  for (let i = 0; i < 20; i++) writeFileSync(path.join(ws, 'names', `${'a'.repeat(200 + i)}.txt`), 'x');
  for (let i = 0; i < 20; i++) writeFileSync(path.join(ws, 'names', `${'ab'.repeat(60)}${i}`), 'x');
  let deep = path.join(ws, 'deep');
  for (let i = 0; i < 12; i++) deep = path.join(deep, `${'a'.repeat(40)}${i}`);
  mkdirSync(deep, { recursive: true });
  writeFileSync(path.join(deep, `${'a'.repeat(100)}.md`), '# deep\n');
  // A text file for edit_file and read_file: ~600 KiB of distinct lines.
  const lines = Array.from({ length: 12_000 }, (_, i) => `line ${i} lorem ipsum dolor sit amet ${(i * 7919) % 1000}\n`);
  writeFileSync(path.join(ws, 'big.txt'), lines.join(''));
  // A corpus for search: many documents sharing words, a few large ones (snippets re-read them).
  mkdirSync(path.join(ws, 'docs'));
  const vocabulary = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau'.split(' ');
  for (let i = 0; i < 150; i++) {
    const words = Array.from({ length: 200 }, (_, k) => vocabulary[(i * 31 + k * 17) % vocabulary.length]).join(' ');
    writeFileSync(path.join(ws, 'docs', `doc${i}.md`), `# Doc ${i}\n\n${words}\n`);
  }
  writeFileSync(path.join(ws, 'docs', `${'x'.repeat(60)}.md`), '# long name\n');
  for (let i = 0; i < 4; i++)
    writeFileSync(path.join(ws, 'docs', `large${i}.md`), `# Large ${i}\n\n${`${vocabulary.join(' ')}\n`.repeat(4000)}`);
  // HTML that html-to-text is slow on: large, deeply nested, wide tables.
  mkdirSync(path.join(ws, 'web'));
  // (Sizes keep the test's runtime down: html-to-text needs about a second per MiB, in its worker.)
  writeFileSync(path.join(ws, 'web', 'large.html'), `<title>Large</title>${'<p>hello <b>world</b></p>'.repeat(10_000)}`);
  writeFileSync(path.join(ws, 'web', 'nested.html'), `<title>Nested</title>${'<div>'.repeat(20_000)}deep`);
  writeFileSync(path.join(ws, 'web', 'table.html'), `<table>${`<tr>${'<td>cell</td>'.repeat(50)}</tr>`.repeat(200)}</table>`);
}

beforeAll(async () => {
  server = await startServer({
    env: {
      CALL_TIMEOUT_MS: '20000',
      // Every run must do its work, not answer from the cache.
      CACHE_TTL_MS: '0',
      FS_CACHE_TTL_MS: '0',
      SEARCH_CACHE_TTL_MS: '0',
      FETCH_CACHE_TTL_MS: '0',
      SEARCH_RESCAN_INTERVAL_MS: '0',
      SEARCH_INDEX_WAIT_MS: '120000',
    },
  });
  fixtures(server.workspaceDir);
  // The first search waits for the first index build (which indexes the HTML above).
  await callTool(server, 'envelope', 'web_search', 'search', 'search', { query: 'warm up' });
  const baseline = await baselineBlock(server);
  limitMs = BOUND_MS + baseline;
  console.log(`event-loop bound: ${BOUND_MS} ms + ${Math.round(baseline)} ms scheduling noise of a busy no-op`);
}, 180_000);
afterAll(async () => {
  await server?.close();
});

const dialect = fc.constantFrom<Dialect>('mcp', 'envelope');

/** Runs one generated request per fast-check run and checks its longest event-loop block. */
async function fuzzOperation<T>(arbitrary: fc.Arbitrary<T>, numRuns: number, send: (input: T, dialect: Dialect) => Promise<unknown>) {
  await fc.assert(
    fc.asyncProperty(arbitrary, dialect, async (input, d) => {
      const blocked = await confirmedMaxBlock(() => send(input, d), limitMs);
      expect(blocked, `longest event-loop block (bound ${Math.round(limitMs)} ms)`).toBeLessThan(limitMs);
    }),
    { seed: SEED, numRuns, endOnFailure: true },
  );
}

// Glob tokens that make backtracking engines explode, mixed with ordinary ones.
const globToken = fc.constantFrom(
  '*',
  '?',
  '**',
  '*?',
  'a',
  'b',
  'x',
  '.',
  '/',
  '{a,b}',
  '{a,*?}',
  '[ab]',
  '[!a]',
  '+(a|*)',
  '*(a|b)',
  '@(a|?)',
  '\\*',
);
const glob = fc.array(globToken, { minLength: 1, maxLength: 80 }).map((t) => t.join('').slice(0, 500));

// Generous per-test limits: on a machine loaded far past its cores the same work takes much longer.
describe('no request holds the event loop for more than ~100 ms', { timeout: 120_000 }, () => {
  it('the globs of the issue, as pattern and as exclude', async () => {
    const cases = [
      { path: 'docs', pattern: '*?*?*?*?*?*?*?*?*?*?b' },
      { path: 'names', pattern: 'a*a*a*a*a*a*a*a*a*a*b' },
      // The longest patterns allowed; each is a linear-time match but still real work, so a few.
      { path: 'names', pattern: `${'*?'.repeat(245)}b`, exclude: Array(4).fill(`${'a*'.repeat(245)}b`) },
    ];
    for (const params of cases) {
      for (const d of ['mcp', 'envelope'] as const) {
        const blocked = await confirmedMaxBlock(() => callTool(server, d, 'file_system', 'search_files', 'search_files', params), limitMs);
        expect(blocked).toBeLessThan(limitMs);
        const tree = { path: params.path, depth: 10, exclude: [params.pattern] };
        expect(
          await confirmedMaxBlock(() => callTool(server, d, 'file_system', 'directory_tree', 'directory_tree', tree), limitMs),
        ).toBeLessThan(limitMs);
      }
    }
  });

  it('search_files with generated patterns and exclude lists', async () => {
    const input = fc.record({ path: fc.constantFrom('/', 'names', 'deep'), pattern: glob, exclude: fc.array(glob, { maxLength: 5 }) });
    await fuzzOperation(input, runs(12), (params, d) => callTool(server, d, 'file_system', 'search_files', 'search_files', params));
  });

  it('directory_tree with generated exclude lists', async () => {
    const input = fc.record({ path: fc.constantFrom('/', 'names', 'deep'), exclude: fc.array(glob, { minLength: 1, maxLength: 10 }) });
    await fuzzOperation(input, runs(8), (params, d) =>
      callTool(server, d, 'file_system', 'directory_tree', 'directory_tree', { ...params, depth: 10 }),
    );
  });

  it('edit_file diffs of large, very different texts (dry runs)', async () => {
    // Replace a long stretch of the file with generated text: the diff sees two unrelated texts.
    const input = fc.record({
      from: fc.integer({ min: 1, max: 5000 }),
      lines: fc.integer({ min: 1, max: 6000 }),
      replacement: fc.string({ minLength: 1, maxLength: 40 }),
      repeat: fc.integer({ min: 1, max: 8000 }),
    });
    await fuzzOperation(input, runs(8), ({ from, lines, replacement, repeat }, d) => {
      const oldText = Array.from({ length: lines }, (_, i) => `\nline ${from + i} `).join('');
      // Only whole lines can be matched exactly; build the old text from the fixture's own lines.
      return callTool(server, d, 'file_system', 'edit_file', 'edit_file', {
        path: 'big.txt',
        edits: [{ old_text: oldText.length > 0 ? `\nline ${from} ` : oldText, new_text: `\n${`${replacement}\n`.repeat(repeat)}` }],
        dry_run: true,
      });
    });
  });

  it('search with generated queries (many words, long words, FTS syntax as text)', async () => {
    const word = fc.oneof(
      fc.constantFrom('alpha', 'beta', 'gamma', 'sigma', 'tau', 'pi', 'NEAR', 'OR', 'AND', '*', '"', '^', 'col:', '(', ')'),
      fc.string({ minLength: 1, maxLength: 30 }),
    );
    const input = fc.record({
      query: fc.array(word, { minLength: 1, maxLength: 200 }).map((w) => w.join(' ').slice(0, 1000)),
      limit: fc.integer({ min: 1, max: 50 }),
    });
    await fuzzOperation(input, runs(12), (params, d) => callTool(server, d, 'web_search', 'search', 'search', params));
  });

  it('fetch of large and deeply nested HTML, and writes that index generated HTML', async () => {
    for (const id of ['file:web/large.html', 'file:web/nested.html', 'file:web/table.html']) {
      for (const d of ['mcp', 'envelope'] as const) {
        expect(await confirmedMaxBlock(() => callTool(server, d, 'web_search', 'fetch', 'fetch', { id }), limitMs)).toBeLessThan(limitMs);
      }
    }
    const piece = fc.constantFrom(
      '<div>',
      '</div>',
      '<table><tr><td>',
      '<p>text <b>bold</b></p>',
      '<a href="x">y</a>',
      '<ul><li>',
      '<h1>t</h1>',
      'words ',
    );
    const html = fc.record({ pieces: fc.array(piece, { minLength: 1, maxLength: 8 }), times: fc.integer({ min: 1, max: 5000 }) });
    let n = 0;
    await fuzzOperation(html, runs(6), async ({ pieces, times }, d) => {
      const name = `web/gen${n++}.html`;
      await callTool(server, d, 'file_system', 'write_file', 'write_file', {
        path: name,
        content: pieces.join('').repeat(times).slice(0, 200_000),
      });
      await callTool(server, d, 'web_search', 'fetch', 'fetch', { id: `file:${name}` });
    });
  });

  it('large bodies and batches: JSON parsing, validation and many calls in one request', async () => {
    const big = { path: 'body.txt', content: 'é\u2028"\\'.repeat(200_000) };
    expect(await confirmedMaxBlock(() => postJson(server.mcpUrl, envelope('file_system', 'write_file', big)), limitMs)).toBeLessThan(
      limitMs,
    );
    const input = fc.array(glob, { minLength: 1, maxLength: 20 });
    await fuzzOperation(input, runs(4), (patterns) => {
      const batch = patterns.map((pattern, i) => ({
        id: `c${i}`,
        tool_name: 'file_system',
        operation: 'search_files',
        parameters: { path: 'names', pattern },
      }));
      const body = envelope('file_system', 'search_files', {});
      return postJson(server.mcpUrl, { ...body, content: { batch } });
    });
  });
});

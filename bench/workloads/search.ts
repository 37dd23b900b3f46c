import type { BenchContext } from '../lib/context.js';
import { fmt } from '../lib/format.js';
import { startOurs } from '../lib/ours.js';
import { percentile } from '../lib/stats.js';
import { queries, writeCorpus, type Corpus } from './corpus.js';
import { requireOperation } from './guards.js';

interface ScanLog {
  documents?: number;
  indexed?: number;
  ms?: number;
  docsPerSecond?: number;
}

/**
 * web_search.search over a generated workspace: the index build rate (from the server's own
 * "scan finished" log line) and query latency seen by one caller, client side and server side
 * (the envelope's metadata.processing_time_ms), with the result cache off.
 */
export async function searchWorkload(ctx: BenchContext): Promise<void> {
  const { book, settings, log } = ctx;
  const count = settings.searchDocuments;
  const section = book.section('search', `search on a generated ${count.toLocaleString('en-US')}-document workspace (one caller)`);
  let corpus: Corpus | undefined;
  const t0 = performance.now();
  let scan: ScanLog | undefined;
  const server = await startOurs({
    name: 'ours-search',
    // info level for the index's "scan finished" line; the access log then writes a line per query too.
    env: { LOG_LEVEL: 'info', SEARCH_CACHE_TTL_MS: '0', SEARCH_INDEX_WAIT_MS: '600000', SEARCH_RESCAN_INTERVAL_MS: '0' },
    prepareWorkspace: (dir) => {
      corpus = writeCorpus(dir, count);
      log(`  wrote ${count} documents (${(corpus.bytes / 2 ** 20).toFixed(1)} MiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    },
    readyTimeoutMs: 120_000,
  });
  const scanned = new Promise<void>((resolve) => {
    const look = (line: string) => {
      if (scan || !line.includes('search index: scan finished')) return;
      try {
        scan = JSON.parse(line) as ScanLog;
        resolve();
      } catch {
        // Not JSON after all.
      }
    };
    server.lines().forEach(look);
    server.onLine(look);
  });
  try {
    if (!(await requireOperation(server, section, 'web_search', 'search'))) return;
    // The first search waits for the first index build (SEARCH_INDEX_WAIT_MS).
    const first = await server.envelope('web_search', 'search', { query: corpus!.vocabulary[0]!, provider: 'local' });
    if (first.status !== 200) throw new Error(`search answered ${first.status}: ${first.text.slice(0, 300)}`);
    await Promise.race([scanned, new Promise((r) => setTimeout(r, 2_000))]);
    const afterIndex = server.memory();

    const list = queries(corpus!.vocabulary, settings.searchQueries);
    for (const q of list.slice(0, 10)) await server.envelope('web_search', 'search', { query: q, limit: 10 });
    const client: number[] = [];
    const inside: number[] = [];
    let empty = 0;
    for (const q of list) {
      const reply = await server.envelope('web_search', 'search', { query: q, limit: 10 });
      if (reply.status !== 200) throw new Error(`search "${q}" answered ${reply.status}: ${reply.text.slice(0, 200)}`);
      client.push(reply.ms);
      const processing = reply.json?.metadata?.processing_time_ms;
      if (typeof processing === 'number') inside.push(processing);
      if ((reply.json?.content?.results ?? []).length === 0) empty++;
    }
    const build = scan
      ? `${(scan.indexed ?? scan.documents ?? 0).toLocaleString('en-US')} docs in ${fmt.ms(scan.ms ?? NaN)} ms = ${(scan.docsPerSecond ?? NaN).toLocaleString('en-US')} docs/s (server log)`
      : 'no "scan finished" line in the server log';
    log(`  index: ${build}; queries p50 ${fmt.ms(percentile(client, 50))} ms, p99 ${fmt.ms(percentile(client, 99))} ms`);
    section.tables.push({
      columns: ['Measure', 'Value'],
      rows: [
        ['documents (generated, ≈1 KiB each)', count.toLocaleString('en-US')],
        ['index build', build],
        ['RSS after indexing (MiB)', fmt.mib(afterIndex?.rssMiB)],
        ['queries (sequential, limit 10)', `${list.length} (${empty} with no results)`],
        ['client p50 / p99 (ms)', `${fmt.ms(percentile(client, 50))} / ${fmt.ms(percentile(client, 99))}`],
        [
          'inside the server p50 / p99 (ms, processing_time_ms)',
          inside.length ? `${fmt.ms(percentile(inside, 50))} / ${fmt.ms(percentile(inside, 99))}` : '—',
        ],
      ],
    });
    section.notes.push(
      'SEARCH_CACHE_TTL_MS=0 so every query runs against the index; LOG_LEVEL=info for this server only (to read the index build line). processing_time_ms is whole milliseconds.',
    );
    section.data = {
      documents: count,
      corpusBytes: corpus!.bytes,
      scan,
      clientMs: client,
      serverMs: inside,
      emptyResults: empty,
      rssAfterIndexMiB: afterIndex?.rssMiB,
    };
  } finally {
    await server.dispose();
  }
}

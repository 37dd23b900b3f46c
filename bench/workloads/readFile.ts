import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext } from '../lib/context.js';
import { fmt } from '../lib/format.js';
import { startOurs, type OurServer } from '../lib/ours.js';
import { envelopeBody, envelopeHeaders } from '../lib/requests.js';
import { httpContender, interleaved, pairedRatio } from '../lib/rounds.js';
import { requireOperation, requireParameter } from './guards.js';

const FILE = 'docs/sample.md';
const FILE_BYTES = 16 * 1024;

/** A 16 KiB Markdown file: the size of a typical source file or README a model reads. */
function writeSample(workspaceDir: string): void {
  mkdirSync(path.join(workspaceDir, 'docs'), { recursive: true });
  const line = '- The quick brown fox reads a file through the MCP tool server and caches it.\n';
  writeFileSync(path.join(workspaceDir, FILE), `# Sample\n\n${line.repeat(Math.ceil(FILE_BYTES / line.length))}`.slice(0, FILE_BYTES));
}

/** read_file on one server with the result cache on vs one with CACHE_MAX_ENTRIES=0. */
export async function readFileWorkload(ctx: BenchContext): Promise<void> {
  const { book, settings, log } = ctx;
  const section = book.section('read_file', 'read_file: cache hit vs miss (16 KiB file, 50 connections)');
  const servers: OurServer[] = [];
  try {
    const cached = await startOurs({ name: 'ours-cache-on', prepareWorkspace: writeSample });
    servers.push(cached);
    if (!(await requireOperation(cached, section, 'file_system', 'read_file'))) {
      book.target('read_file_cache', '—', null, 'file_system.read_file not available yet');
      return;
    }
    if (!(await requireParameter(cached, section, 'file_system', 'read_file', ['path']))) return;
    const uncached = await startOurs({ name: 'ours-cache-off', env: { CACHE_MAX_ENTRIES: '0' }, prepareWorkspace: writeSample });
    servers.push(uncached);

    const body = envelopeBody('file_system', 'read_file', { path: FILE });
    for (const server of servers) {
      const first = await server.envelope('file_system', 'read_file', { path: FILE });
      if (first.status !== 200) throw new Error(`${server.name}: read_file answered ${first.status}: ${first.text.slice(0, 300)}`);
    }
    const second = await cached.envelope('file_system', 'read_file', { path: FILE });
    const cacheUsed = second.json?.metadata?._cached === true;
    if (!cacheUsed)
      section.notes.push(
        'The second identical read_file was not marked _cached: the operation may not use the result cache, so both sides measure a disk read.',
      );

    const verify = (text: string) => text.includes('"message_type":"response"') && text.includes('"etag"');
    const contenders = [
      httpContender(
        'hit',
        'read_file, cache hit',
        { url: cached.mcpUrl, requests: [{ body, headers: envelopeHeaders(cached.key) }], verify },
        cached.memory,
      ),
      httpContender(
        'miss',
        'read_file, no cache (CACHE_MAX_ENTRIES=0)',
        { url: uncached.mcpUrl, requests: [{ body, headers: envelopeHeaders(uncached.key) }], verify },
        uncached.memory,
      ),
    ];
    const result = await interleaved(contenders, settings.tools, log);
    const hit = result.summaries.get('hit')!;
    const miss = result.summaries.get('miss')!;
    const speedup = pairedRatio(result, 'hit', 'miss');
    section.tables.push({
      columns: ['Case', 'rps', 'p50 ms', 'p99 ms', 'peak RSS MiB'],
      rows: [hit, miss].map((x) => [x.label, fmt.rps(x.rps), fmt.ms(x.p50), fmt.ms(x.p99), fmt.mib(x.peakRssMiB)]),
    });
    section.notes.push(
      `Cache hit / miss: ${fmt.ratio(speedup)} in throughput. Both go through the envelope dialect with the full stack; a miss opens, stats and reads the file and hashes it for the etag.`,
    );
    section.data = { hit, miss, speedup, cacheUsed, fileBytes: FILE_BYTES };
    book.target('read_file_cache', fmt.ratio(speedup), speedup >= 5);
    book.ratio({ label: 'read_file cache hit / miss', value: speedup, target: 5, group: 'speed-up' });
  } finally {
    await Promise.all(servers.map((s) => s.dispose()));
  }
}

import path from 'node:path';
import type { BenchContext } from '../lib/context.js';
import { fmt } from '../lib/format.js';
import { runLoad, type LoadSpec } from '../lib/load.js';
import { startOurs, type OurServer } from '../lib/ours.js';
import { envelopeBody, envelopeHeaders, mcpHeaders, toolsCallBody } from '../lib/requests.js';
import { childrenRssMiB } from '../lib/memory.js';
import { BENCH_DIR } from '../lib/paths.js';
import { median } from '../lib/stats.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const MiB = 2 ** 20;
const HEAP_PROBE = ['--expose-gc', '--require', path.join(BENCH_DIR, 'lib', 'heapProbe.cjs')];

/** Memory once the process has been quiet for a moment (timers, GC and the allocator settle). */
async function settledRss(server: OurServer, ms: number): Promise<number> {
  await sleep(ms);
  return server.memory()?.rssMiB ?? NaN;
}

interface HeapReading {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
}

/** Asks the probe in the server (SIGUSR2 to the process we started) for its live heap after a full GC. */
function liveHeap(server: OurServer): Promise<HeapReading | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (value: HeapReading | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), 5_000);
    server.onLine((line) => {
      if (!line.startsWith('BENCH_HEAP ')) return;
      const raw = JSON.parse(line.slice('BENCH_HEAP '.length)) as HeapReading;
      finish({ rss: raw.rss / MiB, heapTotal: raw.heapTotal / MiB, heapUsed: raw.heapUsed / MiB, external: raw.external / MiB });
    });
    process.kill(server.pid, 'SIGUSR2');
  });
}

/**
 * Cold start (spawn → first successful call), idle RSS, and RSS across 2 × 10,000 calls after a
 * warm-up: a leak shows as growth between the two blocks, while the first block also includes
 * the heap reaching its working size.
 */
export async function memoryWorkload(ctx: BenchContext): Promise<void> {
  const { book, settings, log } = ctx;
  const section = book.section('memory', 'Cold start and memory');
  const starts: { listenMs: number; firstCallMs: number }[] = [];
  let server: OurServer | undefined;
  try {
    for (let i = 0; i < settings.coldStarts; i++) {
      const t0 = performance.now();
      // The last start is the one watched for leaks, so it carries the heap probe.
      const last = i === settings.coldStarts - 1;
      const candidate = await startOurs({ name: `ours-cold-${i + 1}`, nodeArgs: last ? HEAP_PROBE : [] });
      const reply = await candidate.envelope('discovery', 'list_tools');
      const firstCallMs = performance.now() - t0;
      if (reply.status !== 200) {
        await candidate.dispose();
        throw new Error(`first call answered ${reply.status}: ${reply.text.slice(0, 200)}`);
      }
      starts.push({ listenMs: candidate.listenMs, firstCallMs });
      log(
        `  cold start ${i + 1}: listening after ${candidate.listenMs.toFixed(0)} ms, first successful call after ${firstCallMs.toFixed(0)} ms`,
      );
      if (!last) await candidate.dispose();
      else server = candidate;
    }
    const s = server!;
    const idle = await settledRss(s, settings.idleSettleMs);
    const idleChildren = childrenRssMiB(s.pid);

    const spec: LoadSpec = {
      url: s.mcpUrl,
      requests: [
        { body: toolsCallBody('list_tools', {}), headers: mcpHeaders(s.key) },
        { body: envelopeBody('discovery', 'list_tools'), headers: envelopeHeaders(s.key) },
      ],
      verify: (text) => text.includes('"structuredContent"') || text.includes('"content":{"tools"'),
    };
    const idleHeap = await liveHeap(s);
    await runLoad(spec, { connections: settings.connections, amount: settings.leakWarmupCalls });
    const afterWarmup = await settledRss(s, 1_000);
    const heap0 = await liveHeap(s);
    const block1 = await runLoad(spec, { connections: settings.connections, amount: settings.leakCalls });
    const after1 = await settledRss(s, 1_000);
    const heap1 = await liveHeap(s);
    const block2 = await runLoad(spec, { connections: settings.connections, amount: settings.leakCalls });
    const after2 = await settledRss(s, 1_000);
    const heap2 = await liveHeap(s);
    const peak = s.memory()?.peakMiB ?? NaN;
    const failures = block1.failures + block2.failures;

    // The leak signal is what survives a full GC; RSS is shown too, but V8 keeps pages it grew into.
    // A leak grows in every block; a one-off bump (a cache filling, late JIT) shows in one only.
    // So: sustained growth per block = the larger of the last block's growth and the mean over both.
    const growth = heap0 && heap1 && heap2 ? Math.max(heap2.heapUsed - heap1.heapUsed, (heap2.heapUsed - heap0.heapUsed) / 2) : NaN;
    const noise = Math.max(2, (heap0?.heapUsed ?? 0) * 0.05);
    const rssGrowth = after2 - after1;
    const coldMedian = median(starts.map((x) => x.firstCallMs));
    const h = (x: HeapReading | undefined) => (x ? `${fmt.mib(x.heapUsed)} MiB live heap` : 'no heap reading');
    log(
      `  idle ${fmt.mib(idle)} MiB (${h(idleHeap)}); after warm-up ${fmt.mib(afterWarmup)} (${h(heap0)}); +${settings.leakCalls} calls ${fmt.mib(after1)} (${h(heap1)}); +${settings.leakCalls} more ${fmt.mib(after2)} (${h(heap2)}); peak ${fmt.mib(peak)}`,
    );
    section.tables.push({
      columns: ['Measure', 'Value'],
      rows: [
        [
          `cold start to first successful call (median of ${starts.length})`,
          `${fmt.ms(coldMedian)} ms (listening after ${fmt.ms(median(starts.map((x) => x.listenMs)))} ms)`,
        ],
        [
          `idle RSS (${settings.idleSettleMs / 1000} s after the first call)`,
          `${fmt.mib(idle)} MiB (V8 heap ${fmt.mib(idleHeap?.heapTotal)} MiB of which ${fmt.mib(idleHeap?.heapUsed)} live)${idleChildren > 0 ? `, plus ${fmt.mib(idleChildren)} MiB in helper processes` : '; no helper processes'}`,
        ],
        [`after ${settings.leakWarmupCalls.toLocaleString('en-US')} warm-up calls`, `RSS ${fmt.mib(afterWarmup)} MiB, ${h(heap0)}`],
        [`after ${settings.leakCalls.toLocaleString('en-US')} more calls`, `RSS ${fmt.mib(after1)} MiB, ${h(heap1)}`],
        [
          `after another ${settings.leakCalls.toLocaleString('en-US')} calls`,
          `RSS ${fmt.mib(after2)} MiB (${rssGrowth >= 0 ? '+' : ''}${fmt.mib(rssGrowth)}), ${h(heap2)}`,
        ],
        ['peak RSS (VmHWM) under 50 connections', `${fmt.mib(peak)} MiB`],
      ],
    });
    section.notes.push(
      `Calls alternate MCP tools/call list_tools and envelope discovery.list_tools at ${settings.connections} connections${failures ? `; ${failures} failed` : ''}. RSS is read from /proc/<pid>/status 1 s after each block. The leak verdict uses the live heap after a forced full GC (this one server runs with --expose-gc and bench/lib/heapProbe.cjs, read on SIGUSR2): sustained growth — the larger of the second block's growth and the mean growth per block over both — may not exceed max(2 MiB, 5%) per ${settings.leakCalls.toLocaleString('en-US')} calls. RSS alone is not a leak signal: V8 keeps the heap pages it grew into under 50 connections.`,
    );
    section.data = {
      coldStarts: starts,
      idleRssMiB: idle,
      idleChildrenRssMiB: idleChildren,
      idleHeap,
      afterWarmupMiB: afterWarmup,
      after1MiB: after1,
      after2MiB: after2,
      heaps: [heap0, heap1, heap2],
      peakMiB: peak,
      liveHeapGrowthMiB: growth,
      noiseMiB: noise,
      rssGrowthMiB: rssGrowth,
    };
    book.target('idle_rss', `${fmt.mib(idle)} MiB`, idle <= 110);
    book.target(
      'rss_growth',
      Number.isFinite(growth)
        ? `live heap ${fmt.mib(heap0!.heapUsed)} → ${fmt.mib(heap1!.heapUsed)} → ${fmt.mib(heap2!.heapUsed)} MiB; RSS ${fmt.mib(after1)} → ${fmt.mib(after2)} MiB`
        : `RSS ${fmt.mib(after1)} → ${fmt.mib(after2)} MiB (no heap reading)`,
      Number.isFinite(growth) ? growth <= noise : rssGrowth <= Math.max(8, after1 * 0.05),
    );
  } finally {
    await server?.dispose();
  }
}

import type { BenchContext } from '../lib/context.js';
import { fmt } from '../lib/format.js';
import { post } from '../lib/http.js';
import { startOurs } from '../lib/ours.js';
import { envelopeBatchBody, envelopeBody, envelopeHeaders } from '../lib/requests.js';
import { median, percentile } from '../lib/stats.js';

const SIZE = 50;

/**
 * One caller doing 50 operations: 50 sequential requests (keep-alive) vs one envelope batch of
 * 50, alternating, on one server. The operation is discovery.list_tools, which every build has,
 * so the figure is the per-request cost a batch saves.
 */
export async function batchWorkload(ctx: BenchContext): Promise<void> {
  const { book, settings, log } = ctx;
  const section = book.section('batch', `Batch of ${SIZE} operations vs ${SIZE} single requests (one caller)`);
  const server = await startOurs({ name: 'ours-batch' });
  try {
    const headers = envelopeHeaders(server.key);
    const single = envelopeBody('discovery', 'list_tools');
    const batch = envelopeBatchBody(
      Array.from({ length: SIZE }, (_, i) => ({ id: i, tool_name: 'discovery', operation: 'list_tools', parameters: {} })),
    );

    const check = await post(server.mcpUrl, batch, headers);
    const results = (JSON.parse(check.text) as { content?: { results?: { status: string }[] } }).content?.results;
    if (check.status !== 200 || results?.length !== SIZE || !results.every((r) => r.status === 'success')) {
      throw new Error(`a batch of ${SIZE} answered ${check.status}: ${check.text.slice(0, 300)}`);
    }

    const runSingles = async () => {
      const t0 = performance.now();
      for (let i = 0; i < SIZE; i++) {
        const reply = await post(server.mcpUrl, single, headers);
        if (reply.status !== 200) throw new Error(`single request answered ${reply.status}`);
      }
      return performance.now() - t0;
    };
    const runBatch = async () => {
      const reply = await post(server.mcpUrl, batch, headers);
      if (reply.status !== 200) throw new Error(`batch answered ${reply.status}`);
      return reply.ms;
    };
    // Warm-up, then alternate so drift hits both sides alike.
    for (let i = 0; i < 3; i++) {
      await runSingles();
      await runBatch();
    }
    const singles: number[] = [];
    const batches: number[] = [];
    for (let i = 0; i < settings.batchRepetitions; i++) {
      if (i % 2 === 0) {
        singles.push(await runSingles());
        batches.push(await runBatch());
      } else {
        batches.push(await runBatch());
        singles.push(await runSingles());
      }
    }
    const speedup = median(singles) / median(batches);
    log(
      `  ${SIZE} singles: median ${median(singles).toFixed(1)} ms; one batch: median ${median(batches).toFixed(1)} ms → ${speedup.toFixed(1)}x`,
    );
    section.tables.push({
      columns: ['Case', `median ms for ${SIZE} ops`, 'p90 ms', 'ops/s (one caller)'],
      rows: [
        [`${SIZE} sequential requests`, fmt.ms(median(singles)), fmt.ms(percentile(singles, 90)), fmt.rps((SIZE * 1000) / median(singles))],
        [`one batch of ${SIZE}`, fmt.ms(median(batches)), fmt.ms(percentile(batches, 90)), fmt.rps((SIZE * 1000) / median(batches))],
      ],
    });
    section.notes.push(
      `${settings.batchRepetitions} alternating repetitions; the batch runs ${SIZE} discovery.list_tools calls in one envelope (content.batch, server-side concurrency BATCH_CONCURRENCY, default 8).`,
    );
    section.data = { singlesMs: singles, batchMs: batches, speedup };
    book.target('batch_speedup', fmt.ratio(speedup), speedup >= 5);
    book.ratio({ label: `batch of ${SIZE} / ${SIZE} requests`, value: speedup, target: 5, group: 'speed-up' });
  } finally {
    await server.dispose();
  }
}

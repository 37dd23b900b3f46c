// Preloaded (node --expose-gc --require) into the one server the memory workload watches, and
// only there: on SIGUSR2 it runs a full GC and prints the live heap, so a leak shows as growth
// of what survives collection rather than as RSS, which V8 keeps once it has grown into it.
'use strict';
process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  const m = process.memoryUsage();
  process.stdout.write(
    `BENCH_HEAP ${JSON.stringify({ rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external })}\n`,
  );
});

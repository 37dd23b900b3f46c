// `npm run bench [-- --quick] [-- --profile]`: every server as its own process on loopback,
// loaded from this process, interleaved rounds, medians and ratios; writes bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compileBaselines, ensureServerBuilt } from './lib/build.js';
import { renderChart } from './lib/chart.js';
import { cleanupNow } from './lib/cleanup.js';
import type { BenchContext } from './lib/context.js';
import { closeAgent } from './lib/http.js';
import { describeMachine, loadNow } from './lib/machine.js';
import { renderMarkdown, renderSummary } from './lib/markdown.js';
import { OUR_DEFAULT_ENV, startFlags } from './lib/ours.js';
import { RESULTS_DIR } from './lib/paths.js';
import { ResultBook, type BenchResults } from './lib/results.js';
import { parseArgs, type SectionId } from './lib/settings.js';
import { batchWorkload } from './workloads/batch.js';
import { databaseWorkload } from './workloads/database.js';
import { memoryWorkload } from './workloads/memory.js';
import { profileWorkload } from './workloads/profile.js';
import { protocolWorkload } from './workloads/protocol.js';
import { rateLimitWorkload } from './workloads/rateLimit.js';
import { readFileWorkload } from './workloads/readFile.js';
import { searchWorkload } from './workloads/search.js';
import { toolListWorkload } from './workloads/toolList.js';

const WORKLOADS: [SectionId, string, (ctx: BenchContext) => Promise<void>][] = [
  ['tool_list', 'tools/list size', toolListWorkload],
  ['protocol', 'Protocol overhead', protocolWorkload],
  ['read_file', 'read_file cache hit vs miss', readFileWorkload],
  ['batch', 'Batch of 50 vs 50 requests', batchWorkload],
  ['search', 'search on a generated workspace', searchWorkload],
  ['database', 'database.query vs pg', databaseWorkload],
  ['rate_limit', 'Rate limiter: Redis vs in-process', rateLimitWorkload],
  ['memory', 'Cold start and memory', memoryWorkload],
  ['profile', 'CPU profiles', profileWorkload],
];

async function main(): Promise<void> {
  const began = performance.now();
  const settings = parseArgs(process.argv.slice(2));
  const machine = describeMachine();
  const log = (line: string) => console.error(line);
  log(
    `mcp-tool-server bench (${settings.mode}) — ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load average ${machine.loadAverage.start}`,
  );
  if (machine.loadAverage.start > machine.cores) {
    log(
      `warning: the machine is already busy (load average ${machine.loadAverage.start} on ${machine.cores} cores); ratios hold up better than absolute figures, but expect noise.`,
    );
  }
  ensureServerBuilt(log);
  const book = new ResultBook();
  const ctx: BenchContext = { settings, book, baselineDir: compileBaselines(), log };

  for (const [id, title, run] of WORKLOADS) {
    if (!settings.only.has(id)) continue;
    log(`\n== ${title}`);
    const t0 = performance.now();
    try {
      await run(ctx);
    } catch (error) {
      // One broken workload (e.g. a tool still landing) must not cost the rest of the run.
      const section = book.sections.find((s) => s.id === id) ?? book.section(id, title);
      section.status = 'failed';
      section.notes.push(`Failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      log(`   FAILED: ${error instanceof Error ? error.message : String(error)}`);
    }
    log(`   (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }

  machine.loadAverage.end = loadNow();
  const results: BenchResults = {
    machine,
    mode: settings.mode,
    settings: {
      connections: settings.connections,
      protocolRounds: settings.protocol,
      toolRounds: settings.tools,
      batchRepetitions: settings.batchRepetitions,
      searchDocuments: settings.searchDocuments,
      searchQueries: settings.searchQueries,
      coldStarts: settings.coldStarts,
      leakCalls: settings.leakCalls,
      ourServerEnv: OUR_DEFAULT_ENV,
      ourNodeFlags: startFlags(),
      notes: [
        'LOG_LEVEL=warn: the logger and access-log middleware run on every request; only warnings and errors are written.',
        'RATE_LIMIT_MAX=1000000 per window: the limiter (when wired) stays in the request path but never throttles the bench.',
      ],
    },
    durationS: (performance.now() - began) / 1000,
    targets: book.allTargets(),
    ratios: book.ratios,
    sections: book.sections,
  };

  console.log(renderSummary(results));
  if (!settings.dryRun) {
    // Only a complete full run replaces the committed results; smoke and partial runs write
    // *.tmp files next to them (ignored by git) so they can still be looked at.
    const complete = settings.mode === 'full' && WORKLOADS.every(([id]) => id === 'profile' || settings.only.has(id));
    const name = (file: string) => (complete ? file : `${settings.mode}-${file}.tmp`);
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(path.join(RESULTS_DIR, name('latest.json')), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(path.join(RESULTS_DIR, name('latest.md')), renderMarkdown(results));
    writeFileSync(
      path.join(RESULTS_DIR, name('chart.svg')),
      renderChart(
        results.ratios,
        `${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, ${machine.date.slice(0, 10)} (${settings.mode} run)`,
      ),
    );
    log(
      `wrote ${['latest.json', 'latest.md', 'chart.svg'].map((f) => path.join(path.relative(process.cwd(), RESULTS_DIR), name(f))).join(', ')}`,
    );
  }
  const missed = results.targets.filter((t) => t.pass === false);
  if (missed.length && !settings.profile)
    log(`${missed.length} target(s) missed; \`npm run bench -- --profile\` shows where the time goes.`);
  log(`done in ${results.durationS.toFixed(0)} s`);
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  })
  .finally(() => {
    closeAgent();
    cleanupNow();
    // autocannon can leave timers behind; every server is already stopped.
    process.exit(process.exitCode ?? 0);
  });

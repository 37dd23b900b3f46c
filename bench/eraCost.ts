// `npx tsx bench/eraCost.ts [rounds]`: what one MCP tools/call costs our server on each protocol
// era and engine, as CPU µs per request in the server process (its utime+stime from /proc, so a
// busy machine slows the run but hardly moves the figure). The four (engine, era) pairs are loaded
// in interleaved rounds, 50 connections, a fixed number of calls each; medians are printed.
import { readFileSync } from 'node:fs';
import { ensureServerBuilt } from './lib/build.js';
import { cleanupNow } from './lib/cleanup.js';
import { runLoad, type LoadSpec } from './lib/load.js';
import { startOurs, type OurServer } from './lib/ours.js';
import { mcpHeaders, mcpModernHeaders, toolsCallBody, toolsCallModernBody } from './lib/requests.js';
import { median } from './lib/stats.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const CALLS = 4000;
const TICK_US = 1_000_000 / 100; // USER_HZ is 100 on Linux

/** The process's CPU time so far (user + system), in µs. */
function cpuUs(pid: number): number {
  // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

const isResult = (body: string) => body.includes('"structuredContent"') && !body.includes('"isError":true');

async function main(): Promise<void> {
  ensureServerBuilt(console.log);
  const servers: Record<string, OurServer> = {
    engine: await startOurs({ name: 'ours-engine' }),
    sdk: await startOurs({ name: 'ours-sdk-engine', env: { MCP_ENGINE: 'sdk' } }),
  };
  const subjects = Object.entries(servers).flatMap(([engine, server]) => {
    const legacy: LoadSpec = {
      url: server.mcpUrl,
      requests: [{ body: toolsCallBody('list_tools'), headers: mcpHeaders(server.key) }],
      verify: isResult,
    };
    const modern: LoadSpec = {
      url: server.mcpUrl,
      requests: [{ body: toolsCallModernBody('list_tools'), headers: mcpModernHeaders(server.key, 'tools/call', 'list_tools') }],
      verify: (body) => isResult(body) && body.includes('"resultType":"complete"'),
    };
    return [
      { id: `${engine} 2025-11-25`, server, spec: legacy },
      { id: `${engine} 2026-07-28`, server, spec: modern },
    ];
  });
  const samples = new Map<string, { us: number[]; rps: number[] }>(subjects.map((s) => [s.id, { us: [], rps: [] }]));
  for (const subject of subjects) await runLoad(subject.spec, { connections: 50, amount: CALLS });
  for (let round = 1; round <= ROUNDS; round++) {
    for (const subject of round % 2 ? subjects : [...subjects].reverse()) {
      const before = cpuUs(subject.server.pid);
      const result = await runLoad(subject.spec, { connections: 50, amount: CALLS });
      const used = cpuUs(subject.server.pid) - before;
      if (result.failures) throw new Error(`${subject.id}: ${result.failures} failed calls`);
      samples.get(subject.id)!.us.push(used / result.requests);
      samples.get(subject.id)!.rps.push(result.rps);
    }
    console.log(`round ${round}/${ROUNDS} done`);
  }
  console.log('\n| engine, era | CPU µs per tools/call (median) | rounds (µs) | rps (median, shared machine) |');
  console.log('| --- | --- | --- | --- |');
  for (const [id, { us, rps }] of samples)
    console.log(`| ${id} | ${Math.round(median(us))} | ${us.map((v) => Math.round(v)).join(', ')} | ${Math.round(median(rps))} |`);
  await Promise.all(Object.values(servers).map((server) => server.dispose()));
}

main().then(
  () => cleanupNow(),
  (error) => {
    console.error(error);
    cleanupNow();
    process.exit(1);
  },
);

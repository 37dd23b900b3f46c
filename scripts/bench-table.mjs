// Builds the README's benchmark table from bench/results/latest.json (what the last full
// `npm run bench` measured), so the README cannot drift from the run it quotes.
// `node scripts/bench-table.mjs --write` updates README.md; without --write it prints the table.
// test/docs/readme.test.ts fails when the README's table is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { betweenMarkers, escapePipes, markdownTable } from './markdown.mjs';

export function benchTable(results) {
  const { machine } = results;
  const taken = `${machine.date.slice(0, 16).replace('T', ' ')} UTC`;
  const load = machine.loadAverage
    ? `, load average ${machine.loadAverage.start} at the start and ${machine.loadAverage.end} at the end`
    : '';
  const about = `Run of ${taken} on ${machine.cores} × ${machine.cpuModel}, Node ${machine.node}${load} ([bench/results/latest.md](bench/results/latest.md)):`;
  const rows = results.targets.map((t) => [
    escapePipes(t.description),
    escapePipes(t.threshold),
    escapePipes(t.measured),
    t.pass ? 'met' : '**missed**',
  ]);
  return `${about}\n\n${markdownTable(['Target', 'Threshold', 'Measured', 'Result'], rows)}`;
}

export function withBenchTable(readme, table) {
  return betweenMarkers(readme, 'bench-table', table);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const table = benchTable(JSON.parse(readFileSync('bench/results/latest.json', 'utf8')));
  if (process.argv.includes('--write')) writeFileSync('README.md', withBenchTable(readFileSync('README.md', 'utf8'), table));
  else console.log(table);
}

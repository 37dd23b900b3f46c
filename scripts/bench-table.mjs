// Builds the README's benchmark table from bench/results/latest.json (what the last full
// `npm run bench` measured), so the README cannot drift from the run it quotes.
// `node scripts/bench-table.mjs --write` updates README.md; without --write it prints the table.
// test/docs/readme.test.ts fails when the README's table is stale.
import { readFileSync, writeFileSync } from 'node:fs';

const escapePipes = (text) => String(text).replace(/\|/g, '\\|');

/** A Markdown table with every column padded to its widest cell (the README's table format). */
function markdownTable(header, rows) {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

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

const START = '<!-- bench-table:start -->';
const END = '<!-- bench-table:end -->';

export function withBenchTable(readme, table) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0) throw new Error(`README.md lacks the ${START} … ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const table = benchTable(JSON.parse(readFileSync('bench/results/latest.json', 'utf8')));
  if (process.argv.includes('--write')) writeFileSync('README.md', withBenchTable(readFileSync('README.md', 'utf8'), table));
  else console.log(table);
}

import { fmt } from './format.js';
import type { BenchResults, Table } from './results.js';

function table(t: Table): string {
  const escapeCell = (cell: string) => cell.replace(/\|/g, '\\|');
  const lines = [`| ${t.columns.map(escapeCell).join(' | ')} |`, `|${t.columns.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of t.rows) lines.push(`| ${row.map(escapeCell).join(' | ')} |`);
  return (t.title ? `**${t.title}**\n\n` : '') + lines.join('\n');
}

/** The whole run as Markdown: machine, targets with PASS/MISS, then each workload. */
export function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const out: string[] = [
    `# Benchmark results (${results.mode} run)`,
    '',
    `Taken ${m.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} on ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}; the run took ${Math.round(results.durationS)} s. Load average (1 min) ${m.loadAverage.start} before the run, ${m.loadAverage.end ?? '—'} after it${m.loadAverage.start > m.cores ? ' — the machine was busy with other work, so expect noise' : ''}.`,
    `Every server is its own process on loopback; load comes from autocannon in the bench process (${results.settings.connections} connections). Our server runs as \`node ${[...((results.settings.ourNodeFlags as string[] | undefined) ?? []), 'dist/index.js'].join(' ')}\` (the flags of \`npm start\`) with ${Object.entries(
      results.settings.ourServerEnv as Record<string, string>,
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}.`,
    '',
    '## Targets',
    '',
    table({
      columns: ['Target', 'Threshold', 'Measured', 'Result'],
      rows: results.targets.map((t) => [t.description, t.threshold, t.measured + (t.note ? ` (${t.note})` : ''), fmt.verdict(t.pass)]),
    }),
    '',
  ];
  for (const section of results.sections) {
    out.push(`## ${section.title}`, '');
    if (section.status !== 'ok') out.push(`**${section.status.toUpperCase()}**`, '');
    for (const t of section.tables) out.push(table(t), '');
    for (const note of section.notes) out.push(`- ${note}`);
    if (section.notes.length) out.push('');
  }
  return out.join('\n');
}

/** Just the targets and the protocol table, for the terminal. */
export function renderSummary(results: BenchResults): string {
  const out = [
    '',
    table({
      columns: ['Target', 'Threshold', 'Measured', 'Result'],
      rows: results.targets.map((t) => [t.description, t.threshold, t.measured + (t.note ? ` (${t.note})` : ''), fmt.verdict(t.pass)]),
    }),
    '',
  ];
  for (const section of results.sections) {
    out.push(`### ${section.title}${section.status !== 'ok' ? ` — ${section.status.toUpperCase()}` : ''}`, '');
    for (const t of section.tables) out.push(table(t), '');
    for (const note of section.notes) out.push(`- ${note}`);
    out.push('');
  }
  return out.join('\n');
}

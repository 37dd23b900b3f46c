// Builds the README's configuration table from .env.example (the one place variables are
// documented), so the two cannot drift. `node scripts/config-table.mjs --write` updates README.md;
// without --write it prints the table. test/docs/readme.test.ts fails when README.md is stale.
import { readFileSync, writeFileSync } from 'node:fs';

export function configTable(envExample) {
  const rows = [];
  let notes = [];
  let afterVariable = false;
  for (const raw of envExample.split('\n')) {
    const line = raw.trim();
    const heading = /^# --- (.+?) -*$/.exec(line);
    if (heading) {
      rows.push(`| **${heading[1]}** | | |`);
      notes = [];
      afterVariable = false;
      continue;
    }
    const variable = /^#\s*([A-Z][A-Z0-9_]+)=(.*)$/.exec(line);
    if (variable) {
      const [, name, value] = variable;
      // A comment block describes every variable that directly follows it.
      const meaning = notes.join(' ').replace(/\|/g, '\\|');
      rows.push(`| \`${name}\` | ${value ? `\`${value.replace(/\|/g, '\\|')}\`` : ''} | ${meaning} |`);
      afterVariable = true;
      continue;
    }
    if (line.startsWith('#')) {
      if (afterVariable) notes = [];
      afterVariable = false;
      notes.push(line.replace(/^#\s?/, ''));
      continue;
    }
    notes = [];
    afterVariable = false;
  }
  return ['| Variable | Default or example | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

export function withTable(readme, table) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0) throw new Error(`README.md lacks the ${START} … ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const table = configTable(readFileSync('.env.example', 'utf8'));
  if (process.argv.includes('--write')) writeFileSync('README.md', withTable(readFileSync('README.md', 'utf8'), table));
  else console.log(table);
}

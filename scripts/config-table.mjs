// Builds the README's configuration table from .env.example (the one place variables are
// documented), so the two cannot drift. `node scripts/config-table.mjs --write` updates README.md;
// without --write it prints the table. test/docs/readme.test.ts fails when README.md is stale.
//
// .env.example holds one block per variable, never shared:
//   # What it does and when to change it (one or more lines).
//   # Example: <value>      (optional; only when it differs from the default)
//   # NAME=<default>        (nothing after "=" when there is no default)
// and section headings `# --- Title ---`. A blank line may separate blocks.
import { readFileSync, writeFileSync } from 'node:fs';
import { betweenMarkers, escapePipes, markdownTable } from './markdown.mjs';

/**
 * Parses .env.example into sections of variables. `problems` lists every line that breaks the
 * convention (a variable without its own description, a second example, an example equal to the default).
 */
export function parseEnvExample(envExample) {
  const sections = [];
  const problems = [];
  let notes = [];
  let example;
  const endBlock = () => {
    if (example !== undefined) problems.push(`"# Example: ${example}" is not followed by its variable`);
    notes = [];
    example = undefined;
  };
  for (const [index, raw] of envExample.split('\n').entries()) {
    const line = raw.trim();
    const where = `.env.example:${index + 1}`;
    const heading = /^# --- (.+?) -*$/.exec(line);
    if (heading) {
      endBlock();
      sections.push({ title: heading[1], variables: [] });
      continue;
    }
    const variable = /^#\s*([A-Z][A-Z0-9_]+)=(.*)$/.exec(line);
    if (variable) {
      const [, name, value] = variable;
      const defaultValue = value.trim();
      if (notes.length === 0) problems.push(`${where}: ${name} has no description of its own (one block per variable; never share one)`);
      if (example !== undefined && example === defaultValue)
        problems.push(`${where}: ${name}'s example is its default; drop the Example line`);
      if (sections.length === 0) problems.push(`${where}: ${name} comes before the first "# --- Section ---" heading`);
      sections.at(-1)?.variables.push({ name, default: defaultValue, example, meaning: notes.join(' '), line: index + 1 });
      notes = [];
      example = undefined;
      continue;
    }
    const exampleLine = /^#\s*Example:\s*(.*)$/.exec(line);
    if (exampleLine) {
      if (example !== undefined) problems.push(`${where}: a second Example line in one block`);
      example = exampleLine[1].trim();
      continue;
    }
    if (line.startsWith('#')) {
      if (example !== undefined)
        problems.push(`${where}: the description continues after the Example line (put Example last, just above the variable)`);
      const text = line.replace(/^#\s?/, '').trim();
      if (text) notes.push(text);
      continue;
    }
    endBlock();
  }
  endBlock();
  return { sections, problems };
}

const code = (value) => (value ? `\`${escapePipes(value)}\`` : '');

export function configTable(envExample) {
  const rows = [];
  for (const section of parseEnvExample(envExample).sections) {
    rows.push([`**${section.title}**`, '', '', '']);
    for (const v of section.variables) rows.push([`\`${v.name}\``, code(v.default), code(v.example), escapePipes(v.meaning)]);
  }
  return markdownTable(['Variable', 'Default', 'Example', 'Meaning'], rows);
}

export function withTable(readme, table) {
  return betweenMarkers(readme, 'config-table', table);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const envExample = readFileSync('.env.example', 'utf8');
  const { problems } = parseEnvExample(envExample);
  if (problems.length > 0) {
    console.error(`.env.example breaks the one-block-per-variable convention:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  const table = configTable(envExample);
  if (process.argv.includes('--write')) writeFileSync('README.md', withTable(readFileSync('README.md', 'utf8'), table));
  else console.log(table);
}

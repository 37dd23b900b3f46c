import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { configTable, withTable } from '../../scripts/config-table.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
  );
}

/** Variables the server reads: read*(env, 'NAME' …) in src/config, and process.env.NAME anywhere in src. */
function variablesRead(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles('src')) {
    const text = read(file);
    for (const m of text.matchAll(/read[A-Za-z]*\(\s*env\s*,\s*'([A-Z][A-Z0-9_]+)'/g)) names.add(m[1]!);
    for (const m of text.matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g)) names.add(m[1]!);
  }
  return names;
}

function variablesDocumented(): Set<string> {
  return new Set([...read('.env.example').matchAll(/^#\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));
}

// Read by docker compose only (documented under Operations), never by the server.
const COMPOSE_ONLY = new Set(['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB', 'MCP_DB_USER', 'MCP_DB_PASSWORD', 'SEARXNG_SECRET']);

describe('documentation stays true', () => {
  it('documents every variable the server reads in .env.example', () => {
    const documented = variablesDocumented();
    const missing = [...variablesRead()].filter((name) => !documented.has(name) && name !== 'CI');
    expect(missing).toEqual([]);
  });

  it('documents no variable the server does not read', () => {
    const used = variablesRead();
    const stale = [...variablesDocumented()].filter((name) => !used.has(name) && !COMPOSE_ONLY.has(name));
    expect(stale).toEqual([]);
  });

  it("has the README's configuration table generated from .env.example (run: node scripts/config-table.mjs --write)", () => {
    const readme = read('README.md');
    expect(withTable(readme, configTable(read('.env.example')))).toBe(readme);
  });

  it('gives npm test as the test command, which .ci/run calls', () => {
    expect(read('README.md')).toContain('npm test');
    expect(read('.ci/run')).toMatch(/npm test/);
  });
});

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { configTable, parseEnvExample, withTable } from '../../scripts/config-table.mjs';
// @ts-expect-error plain ESM script without type declarations
import { benchTable, withBenchTable } from '../../scripts/bench-table.mjs';
import { loadConfig, type Env } from '../../src/config/index.js';

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

interface Documented {
  name: string;
  default: string;
  example?: string;
  meaning: string;
  line: number;
}
interface Parsed {
  sections: { title: string; variables: Documented[] }[];
  problems: string[];
}
const parsed = (text = read('.env.example')): Parsed => parseEnvExample(text);

// Read by docker compose only (their own section of .env.example), never by the server.
const COMPOSE_ONLY = new Set(
  parsed()
    .sections.find((s) => s.title === 'docker compose only')
    ?.variables.map((v) => v.name),
);

/**
 * Environments the defaults are checked against: nothing set, and the optional features on (OAuth
 * with introspection, a web search provider, Redis), so defaults that are read only then, or that
 * depend on other variables (FETCH_WEB_ENABLED), are checked too.
 */
const BASES: { name: string; env: Env }[] = [
  { name: 'nothing else set', env: {} },
  {
    name: 'OAuth with introspection, SearXNG and Redis on',
    env: {
      AUTH_MODE: 'both',
      PUBLIC_URL: 'https://mcp.example.com',
      OAUTH_ISSUER: 'https://auth.example.com',
      OAUTH_INTROSPECTION_URL: 'https://auth.example.com/introspect',
      OAUTH_INTROSPECTION_CLIENT_ID: 'mcp',
      OAUTH_INTROSPECTION_CLIENT_SECRET: 'secret',
      SEARXNG_URL: 'http://127.0.0.1:8080',
      REDIS_URL: 'redis://127.0.0.1:6379',
    },
  },
  { name: 'the built-in authorization server', env: { AUTH_MODE: 'both', PUBLIC_URL: 'https://mcp.example.com', OAUTH_SERVER: 'builtin' } },
];
const configJson = (env: Env) => JSON.stringify(loadConfig(env, '/srv/app'));

/**
 * Variables whose documented default is not the code's: setting a variable to its documented
 * default must change nothing, whatever else is set.
 */
function wrongDefaults(variables: Documented[]): string[] {
  return variables
    .filter((v) => v.default !== '' && !COMPOSE_ONLY.has(v.name))
    .flatMap((v) =>
      BASES.filter((base) => !(v.name in base.env))
        .filter((base) => configJson({ ...base.env, [v.name]: v.default }) !== configJson(base.env))
        .map((base) => `${v.name}=${v.default} (${base.name})`),
    );
}

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

  it('gives every variable a block of its own in .env.example: a description, an optional example, the default', () => {
    const { sections, problems } = parsed();
    expect(problems).toEqual([]);
    for (const v of sections.flatMap((s) => s.variables)) expect(v.meaning, v.name).not.toBe('');
    // The convention's checker does catch a shared block and an example equal to the default.
    expect(parsed('# --- S ---\n# Two timeouts.\n# A_MS=1\n# B_MS=2\n').problems).toEqual([
      '.env.example:4: B_MS has no description of its own (one block per variable; never share one)',
    ]);
    expect(parsed('# --- S ---\n# A port.\n# Example: 1\n# PORT=1\n').problems).toEqual([
      ".env.example:4: PORT's example is its default; drop the Example line",
    ]);
  });

  it('documents in .env.example the default the code really uses', () => {
    const variables = parsed().sections.flatMap((s) => s.variables);
    expect(variables.filter((v) => v.default !== '').length).toBeGreaterThan(40);
    expect(wrongDefaults(variables)).toEqual([]);
    // The check does catch a wrong default, in every environment.
    expect(wrongDefaults([{ name: 'NODE_ENV', default: 'production', meaning: 'x', line: 1 }])).toHaveLength(BASES.length);
    expect(wrongDefaults([{ name: 'OAUTH_MAX_CLIENTS', default: '7', meaning: 'x', line: 1 }])).toHaveLength(1);
    expect(wrongDefaults([{ name: 'FETCH_WEB_ENABLED', default: 'false', meaning: 'x', line: 1 }])).toHaveLength(1);
  });

  it('gives examples in .env.example that the server accepts', () => {
    const bad = parsed()
      .sections.flatMap((s) => s.variables)
      .filter((v) => v.example !== undefined && !COMPOSE_ONLY.has(v.name))
      .filter((v) =>
        BASES.every((base) => {
          try {
            loadConfig({ ...base.env, [v.name]: v.example }, '/srv/app');
            return false;
          } catch {
            return true;
          }
        }),
      )
      .map((v) => `${v.name}=${v.example}`);
    expect(bad).toEqual([]);
  });

  it("has the README's configuration table generated from .env.example (run: node scripts/config-table.mjs --write)", () => {
    const readme = read('README.md');
    expect(withTable(readme, configTable(read('.env.example')))).toBe(readme);
  });

  it("has the README's benchmark table generated from the last full run (run: node scripts/bench-table.mjs --write)", () => {
    const readme = read('README.md');
    const results = JSON.parse(read('bench/results/latest.json'));
    expect(results.mode).toBe('full');
    expect(withBenchTable(readme, benchTable(results))).toBe(readme);
  });

  it('gives npm test as the test command, which .ci/run calls', () => {
    expect(read('README.md')).toContain('npm test');
    expect(read('.ci/run')).toMatch(/npm test/);
  });
});

// `npm run conformance`: starts the built server (no auth, loopback, temp dirs, the conformance
// fixtures on) and runs the WHOLE server suite of the official MCP conformance tool against it:
//   - @modelcontextprotocol/conformance 0.1.16, its active suite (the 2025-era revisions);
//   - the newest 0.2.0 alpha, `--suite all` (active, pending, draft and extension scenarios);
//   - the same alpha, `--requirements 2026-07-28` (everything the 2026-07-28 revision requires).
// A scenario fails when any of its checks fails. Exits 1 on any failure, except scenarios of
// extensions this server does not implement (listed as not applicable, with the reason).
// The conformance tool needs Node >= 22 (fs.globSync): on an older Node it runs on the npm
// package node@22, fetched by npx like the tool itself.
//   npm run conformance                      # everything
//   npm run conformance -- --scenario ping   # one scenario (each run that has it)
//   MCP_ENGINE=sdk npm run conformance       # against the other MCP engine
import { execFile } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalServer } from './lib/localServer.mjs';

export const STABLE = '@modelcontextprotocol/conformance@0.1.16';
export const MODERN = '@modelcontextprotocol/conformance@0.2.0-alpha.12';

export const RUNS = [
  { label: '0.1.16 active', pkg: STABLE, args: ['--suite', 'active'] },
  { label: '0.2.0-alpha.12 all', pkg: MODERN, args: ['--suite', 'all'] },
  { label: '0.2.0-alpha.12 2026-07-28', pkg: MODERN, args: ['--requirements', '2026-07-28'] },
];

/** Scenarios of protocol extensions this server does not implement: reported, never scored. */
export const NOT_APPLICABLE = [
  {
    match: /^tasks-/,
    reason: 'io.modelcontextprotocol/tasks extension (SEP-2663): not implemented; the SDK server does not implement it either',
  },
  { match: /^sep-2640-skills-/, reason: 'skills extension (SEP-2640): not implemented (no skills are served)' },
];

/**
 * Known failures, each with its reason. A listed scenario that passes is reported as stale and
 * fails the run too, so this list can only shrink.
 */
export const EXPECTED_FAILURES = new Map();

/** With MCP_ENGINE=sdk (the previous engine) these fail too; the default engine passes them. */
const SDK_ENGINE_FAILURES = ['tools-call-sampling', 'tools-call-elicitation', 'elicitation-sep1034-defaults', 'elicitation-sep1330-enums'];
if (process.env.MCP_ENGINE === 'sdk') {
  for (const scenario of SDK_ENGINE_FAILURES)
    EXPECTED_FAILURES.set(
      scenario,
      'MCP_ENGINE=sdk: a 2025-era server→client request needs the answer (a new POST) routed back to the waiting call, which a per-request Server cannot do',
    );
}

export function notApplicable(scenario) {
  return NOT_APPLICABLE.find((rule) => rule.match.test(scenario))?.reason;
}

/** Reads every `checks.json` the tool wrote under `dir`: one entry per scenario run. */
export function readResults(dir) {
  const results = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const scenario = entry.name.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
    let checks;
    try {
      checks = JSON.parse(readFileSync(path.join(dir, entry.name, 'checks.json'), 'utf8'));
    } catch {
      checks = [{ id: 'results', status: 'FAILURE', errorMessage: 'the scenario wrote no readable checks.json' }];
    }
    const failures = checks.filter((c) => c.status === 'FAILURE');
    results.push({
      scenario,
      passed: checks.filter((c) => c.status === 'SUCCESS').length,
      warnings: checks.filter((c) => c.status === 'WARNING').length,
      failures: failures.map((c) => `${c.id}: ${c.errorMessage ?? 'failed'}`),
    });
  }
  return results.sort((a, b) => a.scenario.localeCompare(b.scenario));
}

/** Classifies one run's results; returns the lines to print and whether anything failed. */
export function judge(results) {
  const lines = [];
  let failed = 0;
  let passed = 0;
  let skipped = 0;
  for (const r of results) {
    const na = notApplicable(r.scenario);
    const expected = EXPECTED_FAILURES.get(r.scenario);
    const ok = r.failures.length === 0;
    if (na) {
      skipped++;
      lines.push(`  n/a   ${r.scenario} (${ok ? 'passes' : `${r.failures.length} failing checks`}) — ${na}`);
    } else if (ok && expected) {
      failed++;
      lines.push(`  STALE ${r.scenario} passes but is listed as an expected failure: remove it from EXPECTED_FAILURES`);
    } else if (ok) {
      passed++;
      lines.push(`  pass  ${r.scenario} (${r.passed} checks${r.warnings ? `, ${r.warnings} warnings` : ''})`);
    } else if (expected) {
      skipped++;
      lines.push(`  known ${r.scenario} — ${expected}`);
    } else {
      failed++;
      lines.push(`  FAIL  ${r.scenario}`);
      for (const f of r.failures) lines.push(`          ${f.slice(0, 300)}`);
    }
  }
  return { lines, passed, failed, skipped };
}

function conformanceCommand(pkg) {
  const major = Number(process.versions.node.split('.')[0]);
  const viaNode22 = major >= 22 ? [] : ['-p', 'node@22'];
  return ['-y', ...viaNode22, '-p', pkg, 'conformance', 'server'];
}

function run(pkg, args) {
  return new Promise((resolve) => {
    execFile(
      'npx',
      [...conformanceCommand(pkg), ...args],
      { encoding: 'utf8', timeout: 900_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ error, output: `${stdout ?? ''}${stderr ?? ''}` }),
    );
  });
}

async function main() {
  const argv = process.argv.slice(2);
  const only = argv.includes('--scenario') ? argv[argv.indexOf('--scenario') + 1] : undefined;
  execFileSync('node', ['scripts/build-if-needed.mjs'], { stdio: 'inherit' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-conformance-'));
  const server = await startLocalServer({
    AUTH_MODE: 'none',
    DATA_DIR: path.join(dir, 'data'),
    WORKSPACE_DIR: path.join(dir, 'ws'),
    RATE_LIMIT_MAX: '0',
    MCP_CONFORMANCE_FIXTURES: 'true',
  });
  // localhost, not 127.0.0.1: the dns-rebinding scenario needs a Host the server accepts.
  const url = `http://localhost:${server.port}/mcp`;
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  try {
    for (const [i, { label, pkg, args }] of RUNS.entries()) {
      const out = path.join(dir, `run-${i}`);
      const scenarioArgs = only ? ['--scenario', only] : args;
      if (only && args[0] === '--requirements') continue;
      const { output } = await run(pkg, ['--url', url, '-o', out, ...scenarioArgs]);
      let results = [];
      try {
        results = readResults(out);
      } catch {
        // No results folder: the tool itself failed (printed below).
      }
      console.log(`${label}:`);
      if (results.length === 0 && only && output.includes('Unknown scenario')) {
        console.log(`  —     ${only} is not a scenario of this version`);
        continue;
      }
      if (results.length === 0) {
        failed++;
        console.log(`  FAIL  the conformance tool produced no results:\n${output.slice(-3000)}`);
        continue;
      }
      const verdict = judge(results);
      for (const line of verdict.lines) console.log(line);
      passed += verdict.passed;
      failed += verdict.failed;
      skipped += verdict.skipped;
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`conformance: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

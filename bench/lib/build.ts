import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { trackTempDir } from './cleanup.js';
import { BENCH_DIR, REPO_ROOT, SERVER_ENTRY } from './paths.js';

function newestMtime(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** Builds dist/ when it is missing or older than src/, so we measure the code in the tree. */
export function ensureServerBuilt(log: (line: string) => void): void {
  if (existsSync(SERVER_ENTRY) && newestMtime(path.join(REPO_ROOT, 'src')) <= statSync(SERVER_ENTRY).mtimeMs) return;
  log('building dist/ (missing or older than src/) with tsc -p tsconfig.json …');
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: REPO_ROOT, stdio: 'pipe' });
  } catch (error) {
    // tsc still emits on type errors; a half-finished file elsewhere should not stop the bench.
    if (!existsSync(SERVER_ENTRY)) throw error;
    const out = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
    log(`tsc reported type errors (dist/ was emitted anyway):\n${out.split('\n').slice(0, 5).join('\n')}`);
  }
}

/**
 * Transpiles bench/baselines/*.ts to plain ESM in a temp folder (with node_modules linked), so
 * baselines run on bare `node` like our compiled server: no loader in either process's memory.
 */
export function compileBaselines(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-bench-baselines-'));
  trackTempDir(dir);
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  const source = path.join(BENCH_DIR, 'baselines');
  const out = path.join(dir, 'baselines');
  mkdirSync(out);
  for (const file of readdirSync(source).filter((f) => f.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(path.join(source, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    });
    writeFileSync(path.join(out, file.replace(/\.ts$/, '.js')), outputText);
  }
  return out;
}

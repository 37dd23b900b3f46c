// Offline lint of the container files (CI has no Docker engine):
//   1. dclint on docker-compose.yml (schema + style, warnings fail too);
//   2. dockerfile-utils on the Dockerfile, plus this project's rules (multi-stage, slim runtime,
//      non-root user, HEALTHCHECK on /healthz, volumes, node as the entry point);
//   3. every variable compose passes to the server is one the server reads (src/config) and is
//      documented in .env.example, and every ${VAR} compose interpolates is documented too.
// Usage: node scripts/lint-docker.mjs [--compose FILE] [--dockerfile FILE] [--env-example FILE] [--config-dir DIR]
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return path.resolve(i >= 0 && args[i + 1] ? args[i + 1] : path.join(root, fallback));
};
const composeFile = option('--compose', 'docker-compose.yml');
const dockerfile = option('--dockerfile', 'Dockerfile');
const envExample = option('--env-example', '.env.example');
const configDir = option('--config-dir', 'src/config');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

const problems = [];
const problem = (file, message) => problems.push(`${path.relative(process.cwd(), file) || file}: ${message}`);

// --- 1. compose: dclint -------------------------------------------------------------------------
try {
  execFileSync(bin('dclint'), ['--config', path.join(root, '.dclintrc.json'), '--max-warnings', '0', '--color', 'false', composeFile], {
    stdio: 'pipe',
    encoding: 'utf8',
  });
} catch (error) {
  problem(composeFile, `dclint failed:\n${`${error.stdout ?? ''}${error.stderr ?? ''}`.trim() || error.message}`);
}

// --- 2. Dockerfile: dockerfile-utils, then our rules ---------------------------------------------
let diagnostics = [];
try {
  const out = execFileSync(bin('dockerfile-utils'), ['lint', '--json', dockerfile], { stdio: 'pipe', encoding: 'utf8' });
  diagnostics = JSON.parse(out || '[]');
} catch (error) {
  // It exits non-zero when it found errors; the JSON report is still on stdout.
  try {
    diagnostics = JSON.parse(error.stdout || '');
  } catch {
    problem(dockerfile, `dockerfile-utils failed: ${`${error.stdout ?? ''}${error.stderr ?? ''}`.trim() || error.message}`);
  }
}
for (const d of diagnostics) problem(dockerfile, `line ${(d.range?.start?.line ?? 0) + 1}: ${d.message} (dockerfile-utils)`);

const instructions = readFileSync(dockerfile, 'utf8')
  .replace(/\\\r?\n/g, ' ')
  .split(/\r?\n/)
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => {
    const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(line);
    return { keyword: keyword.toUpperCase(), rest };
  });
const stages = [];
for (const instruction of instructions) {
  if (instruction.keyword === 'FROM') stages.push([]);
  stages.at(-1)?.push(instruction);
}
const runtime = stages.at(-1) ?? [];
const inRuntime = (keyword) => runtime.filter((i) => i.keyword === keyword);
if (stages.length < 2) problem(dockerfile, 'must be multi-stage (a build stage, then the runtime stage)');
if (!/^node:20-bookworm-slim\b/.test(runtime[0]?.rest ?? '')) problem(dockerfile, 'the runtime stage must be FROM node:20-bookworm-slim');
const user = inRuntime('USER').at(-1)?.rest;
if (!user || /^(root|0)(:|$)/.test(user)) problem(dockerfile, 'the runtime stage must switch to a non-root USER');
const healthcheck = inRuntime('HEALTHCHECK').at(-1)?.rest ?? '';
if (!/\/healthz/.test(healthcheck)) problem(dockerfile, 'the runtime stage needs a HEALTHCHECK on /healthz');
if (/\b(curl|wget)\b/.test(healthcheck)) problem(dockerfile, 'HEALTHCHECK must not use curl/wget (not in slim images); use node');
const volumes = inRuntime('VOLUME')
  .map((i) => i.rest)
  .join(' ');
for (const dir of ['/app/data', '/app/workspace']) if (!volumes.includes(dir)) problem(dockerfile, `VOLUME must include ${dir}`);
if (!inRuntime('ENV').some((i) => /\bHOST=0\.0\.0\.0\b/.test(i.rest))) problem(dockerfile, 'the runtime stage must set HOST=0.0.0.0');
const cmd = inRuntime('CMD').at(-1)?.rest ?? '';
if (!/^\[\s*"node"/.test(cmd)) problem(dockerfile, 'CMD must run node directly in exec form, so SIGTERM reaches the server');

// --- 3. compose variables vs. what the server reads and documents ----------------------------------
const composeText = readFileSync(composeFile, 'utf8');
let compose = {};
try {
  compose = parseYaml(composeText, { merge: true }) ?? {};
} catch (error) {
  problem(composeFile, `not valid YAML: ${error.message}`);
}

const serverReads = new Set();
for (const file of readdirSync(configDir).filter((f) => f.endsWith('.ts'))) {
  const text = readFileSync(path.join(configDir, file), 'utf8');
  for (const [, name] of text.matchAll(/\bread[A-Za-z]*\(\s*env\s*,\s*'([A-Z][A-Z0-9_]*)'/g)) serverReads.add(name);
}
const documented = new Set([...readFileSync(envExample, 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));

const services = compose.services ?? {};
const serverServices = Object.entries(services).filter(([, s]) => s?.build || /^mcp-tool-server(:|$)/.test(s?.image ?? ''));
if (serverServices.length === 0) problem(composeFile, 'no server service found (one with build: or image mcp-tool-server)');
for (const [name, service] of serverServices) {
  const env = service.environment ?? {};
  const keys = Array.isArray(env) ? env.map((entry) => String(entry).split('=')[0]) : Object.keys(env);
  if (service.env_file) problem(composeFile, `service ${name}: list variables under environment:, not env_file (so they can be checked)`);
  for (const key of keys) {
    if (!serverReads.has(key))
      problem(
        composeFile,
        `service ${name} passes ${key}, which the server does not read (no read*(env, '${key}') in ${path.relative(root, configDir)})`,
      );
    if (!documented.has(key)) problem(composeFile, `service ${name} passes ${key}, which .env.example does not document`);
  }
  for (const [other, condition] of Object.entries(service.depends_on ?? {})) {
    if (condition?.condition !== 'service_healthy')
      problem(composeFile, `service ${name}: depends_on ${other} must use condition: service_healthy`);
    if (!services[other]?.healthcheck) problem(composeFile, `service ${other} needs a healthcheck (${name} waits for it)`);
  }
}
for (const [, name] of composeText.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) {
  if (!documented.has(name)) problem(composeFile, `interpolates \${${name}}, which .env.example does not document`);
}

if (problems.length > 0) {
  console.error(`lint:docker found ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(
  `lint:docker ok: ${path.relative(process.cwd(), composeFile)} (dclint), ${path.relative(process.cwd(), dockerfile)} (dockerfile-utils + rules), ${serverServices.length} server service(s) pass only variables the server reads.`,
);

// Offline lint of the container files (CI has no Docker engine):
//   1. dclint on docker-compose.yml (schema + style, warnings fail too);
//   2. dockerfile-utils on the Dockerfile, plus this project's rules (multi-stage, node:24 slim runtime and build,
//      non-root user, HEALTHCHECK on /healthz, volumes, node as the entry point);
//   3. the server services read .env (env_file), so every variable .env.example documents reaches
//      them; what they set under environment: is read by the server (src/config) and documented,
//      compose-only secrets are blanked for them, and every ${VAR} compose interpolates is documented.
// Usage: node scripts/lint-docker.mjs [--compose FILE] [--dockerfile FILE] [--env-example FILE] [--config-dir DIR]
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { composeEnvironments, envFiles, environmentEntries } from './compose-env.mjs';
import { parseEnvExample } from './config-table.mjs';

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
// Node 24 is the active LTS (Node 20 reached end of life in April 2026).
const RUNTIME_IMAGE = 'node:24-bookworm-slim';
const baseImage = (stage) => (stage[0]?.rest ?? '').split(/\s+/)[0];
if (baseImage(runtime) !== RUNTIME_IMAGE) problem(dockerfile, `the runtime stage must be FROM ${RUNTIME_IMAGE}`);
// better-sqlite3 is compiled in the build stage; it loads only on the Node (ABI) it was built for.
for (const stage of stages.slice(0, -1))
  if (baseImage(stage).startsWith('node:') && baseImage(stage) !== baseImage(runtime))
    problem(
      dockerfile,
      `every node stage must use the runtime's image ${baseImage(runtime)} (native modules are built for its ABI), not ${baseImage(stage)}`,
    );
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
const documentedNames = parseEnvExample(readFileSync(envExample, 'utf8')).sections.flatMap((s) => s.variables.map((v) => v.name));
const documented = new Set(documentedNames);
// Documented but not read by the server: compose's own settings (PostgreSQL, SearXNG).
const composeOnly = new Set(documentedNames.filter((name) => !serverReads.has(name)));
const serverVariables = documentedNames.filter((name) => !composeOnly.has(name));
// A .env that sets every documented variable, each to a value of its own, stands for any user's .env.
const probeValue = (name) => `probe-${name}`;
let environments = {};
try {
  environments = composeEnvironments(composeText, documentedNames.map((name) => `${name}=${probeValue(name)}`).join('\n'));
} catch (error) {
  problem(composeFile, `cannot work out the containers' environment: ${error.message}`);
}

const services = compose.services ?? {};
const serverServices = Object.entries(services).filter(([, s]) => s?.build || /^mcp-tool-server(:|$)/.test(s?.image ?? ''));
if (serverServices.length === 0) problem(composeFile, 'no server service found (one with build: or image mcp-tool-server)');
for (const [name, service] of serverServices) {
  if (!envFiles(service).some((file) => file.path.replace(/^\.\//, '') === '.env'))
    problem(
      composeFile,
      `service ${name} must read .env (env_file: [{ path: .env, required: false }]), so every variable set there reaches it`,
    );
  for (const [key, raw] of environmentEntries(service)) {
    if (composeOnly.has(key)) {
      // Security: the server has no use for the PostgreSQL superuser's or SearXNG's secrets.
      if (raw !== '') problem(composeFile, `service ${name} passes ${key}, a compose-only variable; blank it (${key}: "")`);
    } else if (!serverReads.has(key)) {
      problem(
        composeFile,
        `service ${name} passes ${key}, which the server does not read (no read*(env, '${key}') in ${path.relative(root, configDir)})`,
      );
    }
    if (!documented.has(key)) problem(composeFile, `service ${name} passes ${key}, which .env.example does not document`);
  }
  const env = environments[name] ?? {};
  const lost = serverVariables.filter((key) => env[key] === undefined);
  if (lost.length > 0) problem(composeFile, `service ${name} does not pass ${lost.length} variable(s) set in .env: ${lost.join(', ')}`);
  const leaked = [...composeOnly].filter((key) => env[key]);
  if (leaked.length > 0)
    problem(composeFile, `service ${name} receives compose-only ${leaked.join(', ')} from .env; blank them under environment:`);
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
  `lint:docker ok: ${path.relative(process.cwd(), composeFile)} (dclint), ${path.relative(process.cwd(), dockerfile)} (dockerfile-utils + rules), ${serverServices.length} server service(s) get every server variable from .env and no compose-only secret.`,
);

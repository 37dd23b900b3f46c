// `npm run soak -- --minutes N [--callers 16] [--replicas 2]`: a mixed workload of every tool from
// many concurrent callers across replicas sharing one workspace, one database and (when reachable)
// Redis. Reports requests, errors by kind, p99 and RSS over time; fails if any acknowledged write is
// missing at the end or any reply was malformed. Loopback only; bounded by --minutes.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const MINUTES = Number(option('minutes', '1'));
const CALLERS = Number(option('callers', '16'));
const REPLICAS = Number(option('replicas', '2'));

interface Replica {
  url: string;
  child: ChildProcess;
  rss: number[];
}

const stats = {
  requests: 0,
  ok: 0,
  toolErrors: new Map<string, number>(),
  httpErrors: new Map<string, number>(),
  malformed: 0,
  malformedSamples: [] as string[],
  latencies: [] as number[],
};
const acknowledged = {
  files: new Map<string, string>(),
  session: new Map<string, Map<string, string>>(),
  rows: new Set<string>(),
};

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function rssOf(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

async function startReplica(env: Record<string, string>): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/index.js'], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`replica did not start:\n${out}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}:\n${out}`)));
  });
  child.stdout!.resume();
  return { url: `http://127.0.0.1:${port}/mcp`, child, rss: [] };
}

/** One call in either dialect; returns the result object or undefined (counted as an error). */
async function call(
  replica: Replica,
  key: string,
  mcpName: string,
  tool: string,
  operation: string,
  params: Record<string, unknown>,
  viaEnvelope: boolean,
): Promise<any> {
  const started = performance.now();
  stats.requests++;
  const body = viaEnvelope
    ? {
        message_id: `soak_${randomBytes(6).toString('hex')}`,
        timestamp: new Date().toISOString(),
        source: 'model',
        destination: 'tool',
        message_type: 'request',
        content: { tool_name: tool, operation, parameters: params },
      }
    : { jsonrpc: '2.0', id: stats.requests, method: 'tools/call', params: { name: mcpName, arguments: params } };
  let response: Response;
  try {
    response = await fetch(replica.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    bump(stats.httpErrors, `network:${(error as Error).name}`);
    return undefined;
  }
  const text = await response.text();
  stats.latencies.push(performance.now() - started);
  let reply: any;
  try {
    reply = JSON.parse(text);
  } catch {
    reply = undefined;
  }
  const wellFormed = viaEnvelope
    ? reply && ['response', 'error'].includes(reply.message_type) && typeof reply.message_id === 'string'
    : reply && reply.jsonrpc === '2.0' && ('result' in reply || 'error' in reply);
  if (!wellFormed) {
    stats.malformed++;
    if (stats.malformedSamples.length < 5) stats.malformedSamples.push(`${response.status} ${text.slice(0, 200)}`);
    return undefined;
  }
  if (viaEnvelope) {
    if (reply.message_type === 'error') {
      bump(stats.toolErrors, `${response.status}:${reply.content.code}`);
      return undefined;
    }
    stats.ok++;
    return reply.content;
  }
  if (reply.error) {
    bump(stats.httpErrors, `${response.status}:${reply.error.code}`);
    return undefined;
  }
  if (reply.result.isError) {
    bump(stats.toolErrors, `mcp:${String(reply.result.content?.[0]?.text ?? '').split(':')[0]}`);
    return undefined;
  }
  stats.ok++;
  return reply.result.structuredContent;
}

async function worker(index: number, replicas: Replica[], key: string, deadline: number): Promise<void> {
  let n = 0;
  while (Date.now() < deadline) {
    const replica = replicas[(index + n) % replicas.length]!;
    const viaEnvelope = n % 2 === 0;
    const choice = n % 8;
    n++;
    if (choice === 0 || choice === 1) {
      const file = `soak/c${index}/f${n % 25}.txt`;
      const content = `caller ${index} write ${n} ${randomBytes(8).toString('hex')}\n`;
      const result = await call(
        replica,
        key,
        'write_file',
        'file_system',
        'write_file',
        { path: file, content, create_parents: true },
        viaEnvelope,
      );
      if (result) acknowledged.files.set(file, content);
    } else if (choice === 2) {
      const known = [...acknowledged.files.keys()].filter((f) => f.startsWith(`soak/c${index}/`));
      const file = known[n % Math.max(1, known.length)];
      if (file) {
        const result = await call(replica, key, 'read_file', 'file_system', 'read_file', { path: file }, viaEnvelope);
        // Reads race only with this caller's own writes, which are sequential: it must see the latest.
        if (result && result.content !== acknowledged.files.get(file)) bump(stats.toolErrors, 'stale-read');
      }
    } else if (choice === 3) {
      const value = randomBytes(6).toString('hex');
      const result = await call(
        replica,
        key,
        'session_set_state',
        'session',
        'set_state',
        { session_id: `soak-${index}`, key: `k${n % 5}`, value },
        viaEnvelope,
      );
      if (result) {
        const map = acknowledged.session.get(key) ?? new Map<string, string>();
        map.set(`k${n % 5}`, value);
        acknowledged.session.set(key, map);
      }
    } else if (choice === 4) {
      const id = `${index}-${n}-${randomBytes(4).toString('hex')}`;
      const result = await call(
        replica,
        key,
        'insert',
        'database',
        'insert',
        { table: 'soak', records: [{ id, caller: index }] },
        viaEnvelope,
      );
      if (result) acknowledged.rows.add(id);
    } else if (choice === 5) {
      await call(
        replica,
        key,
        'query',
        'database',
        'query',
        { sql: 'SELECT COUNT(*) AS n FROM soak WHERE caller = ?', params: [index] },
        viaEnvelope,
      );
    } else if (choice === 6) {
      await call(replica, key, 'search', 'web_search', 'search', { query: `caller ${index}` }, viaEnvelope);
    } else {
      await call(replica, key, 'list_directory', 'file_system', 'list_directory', { path: 'soak' }, viaEnvelope);
    }
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  // Soak the compiled server, as `npm start` runs it (built first when dist/ is missing or stale).
  execFileSync(process.execPath, ['scripts/build-if-needed.mjs'], { stdio: 'inherit' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-soak-'));
  const dataDir = path.join(dir, 'data');
  const workspaceDir = path.join(dir, 'workspace');
  const dbFile = path.join(dir, 'soak.sqlite');
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE soak (id TEXT PRIMARY KEY, caller INTEGER NOT NULL)');
  db.close();

  const keys = Array.from({ length: CALLERS }, (_, i) => `caller${i}:soak-key-${i}-${randomBytes(6).toString('hex')}:read+write`);
  const redis = await reachable(6379);
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    WORKSPACE_DIR: workspaceDir,
    DATABASE_URL: `sqlite:${dbFile}`,
    MCP_API_KEYS: keys.join(','),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '0',
    ...(redis ? { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `soak:${randomBytes(4).toString('hex')}:` } : {}),
  };
  const replicaCount = redis ? REPLICAS : 1;
  console.log(
    `soak: ${MINUTES} min, ${CALLERS} callers, ${replicaCount} replica(s)${redis ? ' sharing Redis' : ' (Redis unreachable: one replica)'}`,
  );
  const replicas: Replica[] = [];
  for (let i = 0; i < replicaCount; i++) replicas.push(await startReplica(env));

  const deadline = Date.now() + MINUTES * 60_000;
  const sampler = setInterval(() => {
    for (const r of replicas) r.rss.push(rssOf(r.child.pid));
    const elapsed = Math.round((Date.now() - (deadline - MINUTES * 60_000)) / 1000);
    console.log(
      `  t=${elapsed}s requests=${stats.requests} ok=${stats.ok} malformed=${stats.malformed} rss=${replicas.map((r) => `${Math.round((r.rss.at(-1) ?? 0) / 1048576)}MiB`).join('/')}`,
    );
  }, 10_000);
  await Promise.all(keys.map((entry, i) => worker(i, replicas, entry.split(':')[1]!, deadline)));
  clearInterval(sampler);
  for (const r of replicas) r.rss.push(rssOf(r.child.pid));

  // Verify every acknowledged write, from outside the servers and through the other replica.
  let missing = 0;
  for (const [file, content] of acknowledged.files) {
    const full = path.join(workspaceDir, file);
    if (!existsSync(full) || readFileSync(full, 'utf8') !== content) missing++;
  }
  const check = new Database(dbFile, { readonly: true });
  const present = new Set((check.prepare('SELECT id FROM soak').all() as { id: string }[]).map((r) => r.id));
  check.close();
  for (const id of acknowledged.rows) if (!present.has(id)) missing++;
  let sessionMissing = 0;
  for (const [i, entry] of keys.entries()) {
    const key = entry.split(':')[1]!;
    const expected = acknowledged.session.get(key);
    if (!expected) continue;
    const replica = replicas[(i + 1) % replicas.length]!;
    const state = await call(replica, key, 'session_get_state', 'session', 'get_state', { session_id: `soak-${i}` }, true);
    const got = new Map<string, unknown>((state?.entries ?? []).map((e: { key: string; value: unknown }) => [e.key, e.value]));
    for (const [k, v] of expected) if (got.get(k) !== v) sessionMissing++;
  }

  for (const r of replicas) r.child.kill('SIGTERM');
  const report = {
    minutes: MINUTES,
    callers: CALLERS,
    replicas: replicaCount,
    requests: stats.requests,
    ok: stats.ok,
    toolErrors: Object.fromEntries(stats.toolErrors),
    httpErrors: Object.fromEntries(stats.httpErrors),
    malformed: stats.malformed,
    p50Ms: Math.round(percentile(stats.latencies, 50) * 10) / 10,
    p99Ms: Math.round(percentile(stats.latencies, 99) * 10) / 10,
    rssMiB: replicas.map((r) => ({
      first: Math.round((r.rss[0] ?? 0) / 1048576),
      max: Math.round(Math.max(0, ...r.rss) / 1048576),
      last: Math.round((r.rss.at(-1) ?? 0) / 1048576),
    })),
    acknowledgedWrites: {
      files: acknowledged.files.size,
      rows: acknowledged.rows.size,
      sessionKeys: [...acknowledged.session.values()].reduce((a, m) => a + m.size, 0),
    },
    missingWrites: missing + sessionMissing,
    fingerprint: createHash('sha256')
      .update(JSON.stringify([...acknowledged.files]))
      .digest('hex')
      .slice(0, 12),
  };
  console.log(JSON.stringify(report, null, 2));
  for (const sample of stats.malformedSamples) console.log(`malformed: ${sample}`);
  rmSync(dir, { recursive: true, force: true });
  const failed = report.malformed > 0 || report.missingWrites > 0 || (stats.toolErrors.get('stale-read') ?? 0) > 0 || stats.ok === 0;
  console.log(failed ? 'SOAK FAILED' : 'SOAK PASSED');
  process.exit(failed ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

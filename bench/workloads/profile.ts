import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSession, startBaseline } from '../lib/baselines.js';
import type { ChildServer } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { summarizeProfile, type ProfileSummary } from '../lib/cpuProfile.js';
import { runLoad, type LoadSpec } from '../lib/load.js';
import { startOurs } from '../lib/ours.js';
import { envelopeBody, envelopeHeaders, mcpHeaders, toolsCallBody } from '../lib/requests.js';

interface Subject {
  id: string;
  label: string;
  start: (nodeArgs: string[]) => Promise<ChildServer & { key?: string; tools?: () => Promise<Map<string, string[]>> }>;
  spec: (server: ChildServer & { key?: string }) => LoadSpec | Promise<LoadSpec>;
  /** Profiled only when our server offers this tool.operation. */
  needs?: [string, string];
}

/** Same 16 KiB file as the read_file workload. */
function writeSample(workspaceDir: string): void {
  mkdirSync(path.join(workspaceDir, 'docs'), { recursive: true });
  writeFileSync(
    path.join(workspaceDir, 'docs', 'sample.md'),
    `# Sample\n\n${'- The quick brown fox reads a file through the MCP tool server and caches it.\n'.repeat(210)}`.slice(0, 16 * 1024),
  );
}

const perRequest = (us: number, requests: number) => (us / requests).toFixed(us / requests >= 10 ? 0 : 1);

/**
 * Runs each server under `--cpu-prof` with the protocol workload's load and summarises where its
 * CPU time goes, per request: by package (self, charged-to-caller, and anywhere on the stack).
 * The raw .cpuprofile files stay in a temp folder for Chrome DevTools.
 */
export async function profileWorkload(ctx: BenchContext): Promise<void> {
  const { book, settings, log } = ctx;
  const section = book.section(
    'profile',
    `CPU profiles (--cpu-prof, ${settings.profileSeconds} s at ${settings.connections} connections each)`,
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-bench-profiles-'));
  const isResult = (text: string) => text.includes('"structuredContent"') && !text.includes('"isError":true');
  const subjects: Subject[] = [
    {
      id: 'sdk',
      label: 'SDK v2 createMcpHandler (echo)',
      start: (nodeArgs) => startBaseline(ctx.baselineDir, 'sdkEcho', nodeArgs),
      spec: (s) => ({ url: s.mcpUrl, requests: [{ body: toolsCallBody('echo', {}), headers: mcpHeaders() }], verify: isResult }),
    },
    {
      id: 'sdk_stateful',
      label: 'SDK v2 stateful server (one session, echo)',
      start: (nodeArgs) => startBaseline(ctx.baselineDir, 'sdkStateful', nodeArgs),
      spec: async (s) => ({
        url: s.mcpUrl,
        requests: [{ body: toolsCallBody('echo', {}), headers: await openSession(s.mcpUrl, mcpHeaders()) }],
        verify: isResult,
      }),
    },
    {
      id: 'mcp',
      label: 'ours, MCP tools/call list_tools',
      start: (nodeArgs) => startOurs({ name: 'ours-mcp-profiled', nodeArgs }),
      spec: (s) => ({ url: s.mcpUrl, requests: [{ body: toolsCallBody('list_tools', {}), headers: mcpHeaders(s.key) }], verify: isResult }),
    },
    {
      id: 'express',
      label: 'bare Express 5',
      start: (nodeArgs) => startBaseline(ctx.baselineDir, 'express', nodeArgs),
      spec: (s) => ({ url: s.mcpUrl, requests: [{ body: toolsCallBody('echo', {}), headers: mcpHeaders() }], verify: isResult }),
    },
    {
      id: 'envelope',
      label: 'ours, envelope discovery.list_tools',
      start: (nodeArgs) => startOurs({ name: 'ours-envelope-profiled', nodeArgs }),
      spec: (s) => ({
        url: s.mcpUrl,
        requests: [{ body: envelopeBody('discovery', 'list_tools'), headers: envelopeHeaders(s.key!) }],
        verify: (t) => t.includes('"content":{"tools"'),
      }),
    },
    {
      id: 'read_file_miss',
      label: 'ours, envelope read_file 16 KiB, cache off',
      needs: ['file_system', 'read_file'],
      start: (nodeArgs) =>
        startOurs({ name: 'ours-read-profiled', nodeArgs, env: { CACHE_MAX_ENTRIES: '0' }, prepareWorkspace: writeSample }),
      spec: (s) => ({
        url: s.mcpUrl,
        requests: [{ body: envelopeBody('file_system', 'read_file', { path: 'docs/sample.md' }), headers: envelopeHeaders(s.key!) }],
        verify: (t) => t.includes('"etag"'),
      }),
    },
  ];
  const summaries: Record<string, ProfileSummary & { requests: number; cpuUsPerRequest: number; file: string }> = {};
  for (const subject of subjects) {
    const out = path.join(dir, subject.id);
    const spawned = performance.now();
    const server = await subject.start(['--cpu-prof', `--cpu-prof-dir=${out}`]);
    let requests = 0;
    let skipMs = 0;
    try {
      if (subject.needs && !(await server.tools?.())?.get(subject.needs[0])?.includes(subject.needs[1])) {
        section.notes.push(`${subject.label}: not profiled, ${subject.needs.join('.')} is not offered by this build.`);
        continue;
      }
      const spec = await subject.spec(server);
      await runLoad(spec, { connections: settings.connections, durationS: 1 });
      // Only the measured load counts: start-up and warm-up are cut from the profile by time.
      skipMs = performance.now() - spawned;
      const measured = await runLoad(spec, { connections: settings.connections, durationS: settings.profileSeconds });
      requests = measured.requests;
      log(`  ${subject.label}: ${Math.round(measured.rps)} rps under the profiler`);
    } finally {
      // The profile is written when the process exits.
      if ('dispose' in server) await (server as { dispose: () => Promise<void> }).dispose();
      else await server.stop();
    }
    if (requests === 0) continue;
    const file = readdirSync(out).find((f) => f.endsWith('.cpuprofile'));
    if (!file) {
      section.notes.push(`${subject.label}: no .cpuprofile was written (did the process exit cleanly?).`);
      continue;
    }
    const summary = summarizeProfile(path.join(out, file), { skipMs });
    const n = Math.max(1, requests);
    const cpuUsPerRequest = Math.round((summary.busyMs * 1000) / n);
    summaries[subject.id] = { ...summary, requests, cpuUsPerRequest, file: path.join(out, file) };
    section.tables.push(
      {
        title: `${subject.label}: ${cpuUsPerRequest} µs of server CPU per request (${requests.toLocaleString('en-US')} requests)`,
        columns: ['Package / module', 'own frames µs/req', 'charged to it µs/req', 'on the stack µs/req'],
        rows: summary.categories
          .slice(0, 16)
          .map((c) => [c.name, perRequest(c.selfUs, n), perRequest(c.chargedUs, n), perRequest(c.inclusiveUs, n)]),
      },
      {
        title: `${subject.label}: hottest functions (own time)`,
        columns: ['Function', 'µs/req'],
        rows: summary.functions.slice(0, 12).map((f) => [f.name, perRequest(f.ms * 1000, n)]),
      },
    );
  }
  section.notes.push(
    '"Own frames" is time in the package\'s own code; "charged to it" adds the node internals and builtins it called (time goes to the nearest package or folder of ours up the stack), so that column sums to the total; "on the stack" is inclusive (nested packages count for each). Start-up and the 1 s warm-up are cut from the profiles.',
  );
  section.notes.push(`Raw profiles (open in Chrome DevTools → Performance): ${dir}`);
  section.data = summaries;
  log(`  profiles in ${dir}`);
}

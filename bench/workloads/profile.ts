import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBaseline } from '../lib/baselines.js';
import type { ChildServer } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { summarizeProfile, type ProfileSummary, type Share } from '../lib/cpuProfile.js';
import { runLoad, type LoadSpec } from '../lib/load.js';
import { startOurs } from '../lib/ours.js';
import { envelopeBody, envelopeHeaders, mcpHeaders, toolsCallBody } from '../lib/requests.js';

interface Subject {
  id: string;
  label: string;
  start: (nodeArgs: string[]) => Promise<ChildServer & { key?: string }>;
  spec: (server: ChildServer & { key?: string }) => LoadSpec;
}

const shareRow = (s: Share) => [s.name, `${s.percent.toFixed(1)}%`];

/**
 * Runs each server under `--cpu-prof` with the protocol workload's load and summarises where its
 * CPU time goes, per request: by package (self, charged-to-caller, and anywhere on the stack).
 * The raw .cpuprofile files stay in a temp folder for Chrome DevTools.
 */
export async function profileWorkload(ctx: BenchContext): Promise<void> {
  const { book, settings, log } = ctx;
  const section = book.section('profile', `CPU profiles (--cpu-prof, ${settings.profileSeconds} s at ${settings.connections} connections each)`);
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
      spec: (s) => ({ url: s.mcpUrl, requests: [{ body: envelopeBody('discovery', 'list_tools'), headers: envelopeHeaders(s.key!) }], verify: (t) => t.includes('"content":{"tools"') }),
    },
  ];
  const summaries: Record<string, ProfileSummary & { requests: number; cpuUsPerRequest: number; file: string }> = {};
  for (const subject of subjects) {
    const out = path.join(dir, subject.id);
    const server = await subject.start(['--cpu-prof', `--cpu-prof-dir=${out}`]);
    let requests = 0;
    try {
      const spec = subject.spec(server);
      requests += (await runLoad(spec, { connections: settings.connections, durationS: 1 })).requests;
      const measured = await runLoad(spec, { connections: settings.connections, durationS: settings.profileSeconds });
      requests += measured.requests;
      log(`  ${subject.label}: ${Math.round(measured.rps)} rps under the profiler`);
    } finally {
      // The profile is written when the process exits.
      if ('dispose' in server) await (server as { dispose: () => Promise<void> }).dispose();
      else await server.stop();
    }
    const file = readdirSync(out).find((f) => f.endsWith('.cpuprofile'));
    if (!file) {
      section.notes.push(`${subject.label}: no .cpuprofile was written (did the process exit cleanly?).`);
      continue;
    }
    const summary = summarizeProfile(path.join(out, file));
    const cpuUsPerRequest = Math.round((summary.busyMs * 1000) / Math.max(1, requests));
    summaries[subject.id] = { ...summary, requests, cpuUsPerRequest, file: path.join(out, file) };
    section.tables.push(
      {
        title: `${subject.label}: ${cpuUsPerRequest} µs CPU per request (${requests.toLocaleString('en-US')} requests, start-up included) — time charged to the package or our folder that caused it`,
        columns: ['Charged to', 'share of CPU'],
        rows: summary.attributed.map(shareRow),
      },
      {
        title: `${subject.label}: anywhere on the stack (inclusive)`,
        columns: ['Package / module', 'share of CPU'],
        rows: summary.inclusive.slice(0, 10).map(shareRow),
      },
      {
        title: `${subject.label}: hottest functions (self time)`,
        columns: ['Function', 'share of CPU'],
        rows: summary.functions.slice(0, 10).map(shareRow),
      },
    );
  }
  section.notes.push(`Raw profiles (open in Chrome DevTools → Performance): ${dir}`);
  section.data = summaries;
  log(`  profiles in ${dir}`);
}

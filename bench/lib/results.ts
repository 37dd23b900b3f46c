import type { Machine } from './machine.js';

export interface Table {
  title?: string;
  columns: string[];
  rows: string[][];
}

export interface Section {
  id: string;
  title: string;
  status: 'ok' | 'skipped' | 'failed';
  notes: string[];
  tables: Table[];
  /** Raw figures for latest.json. */
  data: Record<string, unknown>;
}

export interface TargetResult {
  id: string;
  description: string;
  threshold: string;
  measured: string;
  /** null: not measured in this run (the note says why). */
  pass: boolean | null;
  note?: string;
}

export interface Ratio {
  label: string;
  value: number;
  /** Where the bar's target mark goes, if there is one. */
  target?: number;
  group: 'vs baseline' | 'speed-up' | 'ours';
}

export interface BenchResults {
  machine: Machine;
  mode: 'full' | 'quick';
  settings: Record<string, unknown>;
  durationS: number;
  targets: TargetResult[];
  ratios: Ratio[];
  sections: Section[];
}

/** The targets of this round (issue: benchmarks), in report order. */
export const TARGETS: Omit<TargetResult, 'measured' | 'pass'>[] = [
  {
    id: 'mcp_vs_sdk',
    description: 'MCP tools/call through the full stack vs the SDK createMcpHandler server (rps ratio), p99 at 50 connections',
    threshold: '>= 1.5x and p99 <= 25 ms',
  },
  { id: 'mcp_vs_sdk_stateful', description: 'MCP path vs the SDK v2 stateful server (rps ratio)', threshold: '>= 1.0x' },
  { id: 'mcp_vs_fastmcp', description: 'MCP path vs fastmcp 4.x, the faster of its stateful and stateless modes', threshold: '>= 1.0x' },
  { id: 'mcp_vs_envelope', description: 'MCP path vs our own envelope path (rps ratio)', threshold: '>= 0.9x' },
  { id: 'envelope_vs_express', description: 'Envelope path vs bare Express (rps ratio)', threshold: '>= 0.7x' },
  { id: 'read_file_cache', description: 'Cached read_file vs uncached (rps ratio)', threshold: '>= 5x' },
  { id: 'batch_speedup', description: 'One batch of 50 vs 50 single requests (time ratio)', threshold: '>= 5x' },
  { id: 'idle_rss', description: 'Idle RSS of our server', threshold: '<= 110 MiB' },
  {
    id: 'rss_growth',
    description: 'Memory growth over 10,000 calls after warm-up (live heap after full GC)',
    threshold: 'sustained growth <= max(2 MiB, 5%) per 10,000 calls',
  },
  {
    id: 'tool_list_size',
    description: 'tools/list result for a read+write key, all default tools (JSON bytes)',
    threshold: '<= 19,456 bytes (19 KiB)',
  },
];

export class ResultBook {
  readonly sections: Section[] = [];
  readonly ratios: Ratio[] = [];
  private readonly targets = new Map<string, TargetResult>();

  section(id: string, title: string): Section {
    const section: Section = { id, title, status: 'ok', notes: [], tables: [], data: {} };
    this.sections.push(section);
    return section;
  }

  target(id: string, measured: string, pass: boolean | null, note?: string): void {
    const known = TARGETS.find((t) => t.id === id);
    if (!known) throw new Error(`unknown target ${id}`);
    this.targets.set(id, { ...known, measured, pass, ...(note ? { note } : {}) });
  }

  ratio(ratio: Ratio): void {
    if (Number.isFinite(ratio.value)) this.ratios.push(ratio);
  }

  /** Every target in order; the ones no workload reported are "not measured". */
  allTargets(): TargetResult[] {
    return TARGETS.map((t) => this.targets.get(t.id) ?? { ...t, measured: '—', pass: null, note: 'not measured in this run' });
  }
}

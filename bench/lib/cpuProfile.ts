import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  /** CPU time the profile saw, idle excluded. */
  busyMs: number;
  /** Every category with its total µs (self, charged, inclusive), busiest first. */
  categories: { name: string; selfUs: number; chargedUs: number; inclusiveUs: number }[];
  /** Time where the function itself was running, grouped by package / node module / our folder. */
  self: Share[];
  /** Self time charged to the nearest package or our code up the stack (node internals and builtins fold into their caller). */
  attributed: Share[];
  /** Time with the package anywhere on the stack. */
  inclusive: Share[];
  /** Hottest functions by self time. */
  functions: Share[];
}

const NODE_GROUPS: [RegExp, string][] = [
  [/undici/, 'node: undici (web Request/Response/Headers)'],
  [/internal\/webstreams/, 'node: web streams'],
  [/streams|_stream/, 'node: streams'],
  [/_http|internal\/http|node:http/, 'node: http'],
  [/net|internal\/stream_base|dns/, 'node: net'],
  [/internal\/url|node:url/, 'node: url'],
  [/events|event_target/, 'node: events'],
  [/timers|async_hooks|process\/task_queues|promises/, 'node: timers, microtasks'],
  [/crypto|buffer|util/, 'node: crypto, buffer, util'],
];

/** Which bucket a frame belongs to: a package, a node module group, a folder of ours, or the VM. */
export function categoryOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'V8: garbage collector';
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(program)') return 'V8: program (native, not attributed)';
  if (functionName === '(root)') return '(root)';
  if (!url) return 'V8 builtins (JSON, RegExp, …)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith('node:')) {
    for (const [pattern, name] of NODE_GROUPS) if (pattern.test(url)) return name;
    return 'node: other internals';
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) {
    const rel = url.slice(dist + '/dist/'.length).split('/');
    return `ours: ${rel.length > 2 ? `${rel[0]}/${rel[1]}` : rel.length > 1 ? rel[0] : rel[0]!.replace(/\.js$/, '')}`;
  }
  if (url.includes('/baselines/')) return 'baseline server code';
  return 'other';
}

const isOwner = (category: string) => !category.startsWith('node:') && !category.startsWith('V8') && !category.startsWith('(');

function shares(map: Map<string, number>, busyUs: number, limit: number): Share[] {
  return [...map]
    .filter(([name]) => name !== '(idle)' && name !== '(root)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, percent: Math.round((us / busyUs) * 1000) / 10 }));
}

/**
 * Summarises a .cpuprofile. `skipMs` drops the first part of the profile (start-up and warm-up),
 * measured from the profile's start.
 */
export function summarizeProfile(file: string, options: { skipMs?: number; limit?: number } = {}): ProfileSummary {
  const limit = options.limit ?? 14;
  const skipUs = (options.skipMs ?? 0) * 1000;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const category = new Map<number, string>();
  for (const node of profile.nodes) category.set(node.id, categoryOf(node.callFrame.url, node.callFrame.functionName));

  const self = new Map<string, number>();
  const attributed = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyUs = 0;
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);

  let clockUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    clockUs += profile.timeDeltas[i] ?? 0;
    if (clockUs < skipUs) continue;
    // timeDeltas[i + 1] is how long this sample's stack stayed on the CPU.
    const us = profile.timeDeltas[i + 1] ?? 0;
    const leaf = category.get(id)!;
    if (leaf === '(idle)') continue;
    busyUs += us;
    add(self, leaf, us);
    const frame = byId.get(id)!.callFrame;
    const where = frame.url
      ? `${frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${frame.lineNumber + 1}`
      : '';
    add(functions, `${frame.functionName || '(anonymous)'} ${where}`.trim(), us);
    let owner: string | undefined;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const c = category.get(at)!;
      if (!owner && isOwner(c)) owner = c;
      seen.add(c);
    }
    add(attributed, owner ?? leaf, us);
    for (const c of seen) if (c !== '(root)') add(inclusive, c, us);
  }
  const names = new Set([...self.keys(), ...attributed.keys(), ...inclusive.keys()].filter((n) => n !== '(idle)' && n !== '(root)'));
  const rows = [...names].map((name) => ({
    name,
    selfUs: self.get(name) ?? 0,
    chargedUs: attributed.get(name) ?? 0,
    inclusiveUs: inclusive.get(name) ?? 0,
  }));
  return {
    busyMs: Math.round(busyUs / 1000),
    categories: rows.sort((a, b) => b.chargedUs + b.selfUs - (a.chargedUs + a.selfUs)),
    self: shares(self, busyUs, limit),
    attributed: shares(attributed, busyUs, limit),
    inclusive: shares(inclusive, busyUs, limit),
    functions: shares(functions, busyUs, limit),
  };
}

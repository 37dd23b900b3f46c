import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
const [dir, id, filter = '/dist/'] = process.argv.slice(2) as [string, string, string?];
const f = readdirSync(path.join(dir, id)).find((x) => x.endsWith('.cpuprofile'))!;
const p = JSON.parse(readFileSync(path.join(dir, id, f), 'utf8'));
const parent = new Map<number, number>(); const byId = new Map<number, any>();
for (const n of p.nodes) { byId.set(n.id, n); for (const c of n.children ?? []) parent.set(c, n.id); }
const incl = new Map<string, number>(); let busy = 0; let clock = 0;
for (let i = 0; i < p.samples.length; i++) {
  clock += p.timeDeltas[i]; if (clock < 1_500_000) continue;
  const us = p.timeDeltas[i + 1] ?? 0; const leaf = byId.get(p.samples[i]);
  if (leaf.callFrame.functionName === '(idle)') continue; busy += us;
  for (let at: number | undefined = p.samples[i]; at !== undefined; at = parent.get(at)) {
    const cf = byId.get(at).callFrame; if (!(cf.url.includes('/dist/') || cf.url.includes('/node_modules/'))) continue;
    const k = `${cf.functionName || '(anon)'} ${cf.url.replace(/^.*\/(dist|node_modules)\//, '')}:${cf.lineNumber + 1}`;
    if (cf.url.includes(filter)) incl.set(k, (incl.get(k) ?? 0) + us);
    break;
  }
}
console.log('busy ms', busy / 1000);
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log((v / busy * 100).toFixed(1).padStart(5), k);

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { summarizeProfile } from './lib/cpuProfile.js';
const dir = process.argv[2]!;
for (const id of readdirSync(dir)) {
  const f = readdirSync(path.join(dir, id)).find((x) => x.endsWith('.cpuprofile'))!;
  const s = summarizeProfile(path.join(dir, id, f), { skipMs: 1500, limit: 40 });
  console.log('##', id, 'busyMs', s.busyMs);
  if (process.argv[3] === id) for (const fn of s.functions) console.log('  ', fn.percent, fn.name);
}

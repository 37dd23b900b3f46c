// `npm start` runs the compiled server; build first when dist/ is missing or older than src/.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

const built = 'dist/index.js';
if (!existsSync(built) || newest('src') > statSync(built).mtimeMs) {
  console.error('Building (dist/ is missing or older than src/)…');
  execSync('npx tsc -p tsconfig.json', { stdio: 'inherit' });
}

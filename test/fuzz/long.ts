// `npm run fuzz`: the fuzz suite (the protocol, and event-loop blocking per operation) with many
// more runs and a fresh seed (printed, so a failure can be replayed with FUZZ_SEED=<seed>).
// Usage: npm run fuzz -- [--runs N] [--seed S]
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = option('runs') ?? '1000';
const seed = option('seed') ?? String(Math.floor(Math.random() * 2 ** 31));
console.log(`fuzzing with FUZZ_SEED=${seed} FUZZ_RUNS=${runs}`);
const result = spawnSync('npx', ['vitest', 'run', 'test/fuzz', '--testTimeout', '600000'], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs },
});
process.exit(result.status ?? 1);

import type { RoundPlan } from './rounds.js';

export const SECTION_IDS = [
  'tool_list',
  'protocol',
  'read_file',
  'batch',
  'search',
  'database',
  'rate_limit',
  'memory',
  'profile',
] as const;
export type SectionId = (typeof SECTION_IDS)[number];

export interface Settings {
  mode: 'full' | 'quick';
  connections: number;
  /** The protocol comparison (five servers, the headline figures). */
  protocol: RoundPlan;
  /** Tool workloads (two contenders each). */
  tools: RoundPlan;
  batchRepetitions: number;
  searchDocuments: number;
  searchQueries: number;
  coldStarts: number;
  idleSettleMs: number;
  leakWarmupCalls: number;
  leakCalls: number;
  profile: boolean;
  profileSeconds: number;
  only: Set<SectionId>;
  /** Do not write bench/results (e.g. when trying a change). */
  dryRun: boolean;
}

const USAGE = `npm run bench [-- options]
  --quick          ~1-minute smoke: fewer, shorter rounds
  --profile        also run our server and two baselines under --cpu-prof and summarise where time goes
  --only a,b       run only these sections: ${SECTION_IDS.join(', ')} (profile = --profile alone;
                   --only tool_list is a few seconds: the tools/list size alone)
  --no-write       print the table but leave bench/results untouched
  --help`;

export function parseArgs(argv: string[]): Settings {
  const quick = argv.includes('--quick');
  if (argv.includes('--help')) {
    console.log(USAGE);
    process.exit(0);
  }
  const onlyIndex = argv.indexOf('--only');
  const only = new Set<SectionId>(SECTION_IDS.filter((id) => id !== 'profile' || argv.includes('--profile')));
  if (onlyIndex >= 0) {
    only.clear();
    for (const name of (argv[onlyIndex + 1] ?? '').split(',').filter(Boolean)) {
      if (!(SECTION_IDS as readonly string[]).includes(name)) {
        console.error(`Unknown section "${name}".\n${USAGE}`);
        process.exit(2);
      }
      only.add(name as SectionId);
    }
  }
  for (const arg of argv) {
    if (arg.startsWith('--') && !['--quick', '--profile', '--only', '--no-write', '--help'].includes(arg)) {
      console.error(`Unknown option ${arg}.\n${USAGE}`);
      process.exit(2);
    }
  }
  return {
    mode: quick ? 'quick' : 'full',
    connections: 50,
    protocol: quick ? { rounds: 2, durationS: 2, warmupS: 1, connections: 50 } : { rounds: 5, durationS: 6, warmupS: 2, connections: 50 },
    tools: quick ? { rounds: 2, durationS: 1.5, warmupS: 0.5, connections: 50 } : { rounds: 3, durationS: 4, warmupS: 1, connections: 50 },
    batchRepetitions: quick ? 5 : 15,
    searchDocuments: 10_000,
    searchQueries: quick ? 60 : 300,
    coldStarts: quick ? 1 : 3,
    idleSettleMs: quick ? 1_000 : 3_000,
    leakWarmupCalls: quick ? 2_000 : 3_000,
    leakCalls: 10_000,
    profile: only.has('profile'),
    profileSeconds: quick ? 4 : 10,
    only,
    dryRun: argv.includes('--no-write'),
  };
}

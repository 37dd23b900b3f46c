import { readdirSync, readFileSync } from 'node:fs';
import { describe } from 'vitest';
import { parseProcessConfig } from '../../../src/config/process.js';
import { probeBwrap } from '../../../src/tools/process/sandbox.js';

const probe = probeBwrap(parseProcessConfig({ PROCESS_ENABLED: 'true' }), { workspaceRoot: '/tmp', hidden: [] });
export const bwrapWorks = probe.ok;
const inCi = process.env.CI === 'true';

/**
 * `describe` for suites that need a working bubblewrap: skipped with a one-line reason when it
 * does not run here, except in CI (where .ci/run installs it) so a broken sandbox fails the run.
 */
export const describeWithBwrap = (name: string, body: () => void) =>
  bwrapWorks || inCi ? describe(name, body) : describe.skip(`${name} — skipped: ${probe.ok ? '' : probe.reason}`, body);

/**
 * Host pids whose command line contains `marker` (to prove nothing outlived a run), or with
 * `exact`, whose argv is exactly these words.
 */
export function processesWith(marker: string, exact = false): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (exact ? cmdline === `${marker} ` : cmdline.includes(marker)) found.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** Host processes that are zombies whose parent is this test process (unreaped children). */
export function zombieChildren(): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' && Number(fields[1]) === process.pid) found.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** Base settings for process-tool tests: on, a few harmless programs allowed. */
export const PROCESS_ENV = {
  PROCESS_ENABLED: 'true',
  PROCESS_ALLOW: 'sh,bash,echo,cat,ls,ln,printf,head,sleep,env,true,false,python3',
};

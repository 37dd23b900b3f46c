import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * A pids cgroup per run, when this process may create one (cgroup v1 `pids`, or a cgroup v2
 * folder with the pids controller delegated). RLIMIT_NPROC is not enforced for processes whose
 * real user is root, so for a server running as root this is what stops a fork bomb outright;
 * without it a watchdog counts the sandbox's processes instead (see runner.ts).
 */
/** Tool instances in this process (tests build several): each gets a folder of its own. */
let instances = 0;

export class PidsCgroups {
  private counter = 0;

  private constructor(private readonly base: string) {}

  /** Finds a usable pids hierarchy and creates this server's folder in it; undefined when none. */
  static detect(): PidsCgroups | undefined {
    let lines: string[];
    try {
      lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
    } catch {
      return undefined;
    }
    const candidates: string[] = [];
    for (const line of lines) {
      const [, controllers, where] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
      if (where === undefined) continue;
      if (controllers?.split(',').includes('pids')) candidates.push(path.join('/sys/fs/cgroup/pids', where));
      if (controllers === '') candidates.push(path.join('/sys/fs/cgroup', where), path.join('/sys/fs/cgroup/unified', where));
    }
    for (const parent of candidates) {
      removeStale(parent);
      const base = path.join(parent, `mcp-process-${process.pid}-${++instances}`);
      try {
        mkdirSync(base, { recursive: true });
        const probe = path.join(base, 'probe');
        mkdirSync(probe);
        try {
          writeFileSync(path.join(probe, 'pids.max'), '1');
        } finally {
          rmdirSync(probe);
        }
        return new PidsCgroups(base);
      } catch {
        try {
          rmdirSync(base);
        } catch {
          // not ours or not empty: leave it
        }
      }
    }
    return undefined;
  }

  /** A fresh cgroup allowing at most `max` processes; its path goes to `cgroup.procs` of the runner. */
  create(max: number): string {
    const dir = path.join(this.base, `run-${++this.counter}`);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'pids.max'), String(max));
    return dir;
  }

  /** Removes a run's cgroup once its last process is gone (the kernel refuses while one remains). */
  async remove(dir: string): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        await rmdir(dir);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  close(): void {
    try {
      rmdirSync(this.base);
    } catch {
      // a run's folder still busy: the kernel frees it with its last process
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Folders left by a server that was killed (empty once their processes are gone): removed. */
function removeStale(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^mcp-process-(\d+)(?:-\d+)?$/.exec(name)?.[1];
    if (!pid || alive(Number(pid))) continue;
    const base = path.join(parent, name);
    try {
      for (const run of readdirSync(base, { withFileTypes: true })) if (run.isDirectory()) rmdirSync(path.join(base, run.name));
      rmdirSync(base);
    } catch {
      // still in use, or not ours to remove
    }
  }
}

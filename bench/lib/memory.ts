import { readdirSync, readFileSync } from 'node:fs';

export interface MemorySample {
  /** Resident set size now, MiB. */
  rssMiB: number;
  /** Peak resident set size since the process started (VmHWM), MiB. */
  peakMiB: number;
}

/** Reads a process's memory from /proc (Linux); undefined where /proc is not available. */
export function readMemory(pid: number): MemorySample | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return match ? Number(match[1]) : NaN;
  };
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

/** Pids of a process's children, grandchildren, … (Linux; empty where /proc does not say). */
function descendants(pid: number, depth = 0): number[] {
  if (depth > 4) return [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const tid of tasks) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of text.split(/\s+/).filter(Boolean).map(Number)) found.push(child, ...descendants(child, depth + 1));
  }
  return found;
}

/** RSS of the helper processes a server started (e.g. query workers), MiB; 0 when it has none. */
export function childrenRssMiB(pid: number): number {
  return descendants(pid).reduce((sum, child) => sum + (readMemory(child)?.rssMiB ?? 0), 0);
}

import os from 'node:os';

export interface Machine {
  date: string;
  node: string;
  platform: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  /** 1-minute load average before the run started and when it ended (others' work on a shared machine). */
  loadAverage: { start: number; end?: number };
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: { start: loadNow() },
  };
}

export function loadNow(): number {
  return Math.round(os.loadavg()[0]! * 100) / 100;
}

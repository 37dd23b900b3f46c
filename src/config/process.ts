import { ConfigError, readBool, readEnum, readInt, readList, type Env } from './env.js';

export type ProcessSandbox = 'bwrap' | 'none';

/** process tool settings (issue: `process` tool — off by default, sandboxed, bounded). */
export interface ProcessConfig {
  /** PROCESS_ENABLED: the tool exists only when true. */
  enabled: boolean;
  /** Executables argv[0] may name: bare names looked up on the sandbox PATH, or absolute paths. */
  allow: string[];
  /** `command_line` through /bin/sh -c; otherwise only argv (no shell parsing). */
  shell: boolean;
  sandbox: ProcessSandbox;
  /** Keep the host's network inside the sandbox (default: a network namespace with nothing in it). */
  network: boolean;
  /** Bind the workspace read-only into the sandbox. */
  workspaceReadOnly: boolean;
  /** Environment variable names a caller may set through `env`. */
  envAllow: string[];
  /** Wall time when the call names none, and the most it may name. */
  defaultTimeoutMs: number;
  maxTimeoutMs: number;
  /** Bytes kept of stdout and of stderr each; the rest is counted and dropped while reading. */
  maxOutputBytes: number;
  /** RLIMIT_CPU (seconds of CPU time per process). */
  cpuSeconds: number;
  /** RLIMIT_AS in MiB per process; 0 = no limit. */
  memoryMb: number;
  /** Most processes alive in one run's sandbox (RLIMIT_NPROC, a pids cgroup when available, a watchdog). */
  maxProcesses: number;
  /** RLIMIT_FSIZE: the largest file a command may write. */
  maxFileBytes: number;
  /** Size of the sandbox's private /tmp (memory-backed). */
  tmpBytes: number;
  /** Runs at once on this server, and per caller. */
  maxConcurrent: number;
  maxPerCaller: number;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const EXECUTABLE = /^([A-Za-z0-9._+-]{1,128}|\/[A-Za-z0-9._+/-]{1,1023})$/;
// Security: names a caller could use to make an allowed program load or run code of its choosing
// (the dynamic loader, shells' startup files), and the ones the server fixes itself.
const ENV_REFUSED = /^(LD_.*|BASH_ENV|ENV|BASH_FUNC_.*|PATH|HOME)$/;

export function parseProcessConfig(env: Env): ProcessConfig {
  const allow = readList(env, 'PROCESS_ALLOW');
  for (const name of allow) {
    if (!EXECUTABLE.test(name) || name.split('/').includes('..'))
      throw new ConfigError('PROCESS_ALLOW', 'a comma-separated list of executable names (git,rg,python3) or absolute paths', name);
  }
  const envAllow = readList(env, 'PROCESS_ENV_ALLOW');
  for (const name of envAllow) {
    if (!ENV_NAME.test(name)) throw new ConfigError('PROCESS_ENV_ALLOW', 'a comma-separated list of environment variable names', name);
    if (ENV_REFUSED.test(name))
      throw new ConfigError(
        'PROCESS_ENV_ALLOW',
        'names other than PATH, HOME, LD_*, BASH_ENV and ENV (the server sets or refuses those)',
        name,
      );
  }
  const maxTimeoutMs = readInt(env, 'PROCESS_MAX_TIMEOUT_MS', 300_000, 100, 86_400_000);
  const defaultTimeoutMs = readInt(env, 'PROCESS_TIMEOUT_MS', 30_000, 100, 86_400_000);
  if (defaultTimeoutMs > maxTimeoutMs)
    throw new ConfigError('PROCESS_TIMEOUT_MS', `at most PROCESS_MAX_TIMEOUT_MS (${maxTimeoutMs})`, String(defaultTimeoutMs));
  const maxConcurrent = readInt(env, 'PROCESS_MAX_CONCURRENT', 4, 1, 1024);
  const maxPerCaller = readInt(env, 'PROCESS_MAX_PER_CALLER', 2, 1, 1024);
  if (maxPerCaller > maxConcurrent)
    throw new ConfigError('PROCESS_MAX_PER_CALLER', `at most PROCESS_MAX_CONCURRENT (${maxConcurrent})`, String(maxPerCaller));
  return {
    enabled: readBool(env, 'PROCESS_ENABLED', false),
    allow,
    shell: readBool(env, 'PROCESS_SHELL', false),
    sandbox: readEnum(env, 'PROCESS_SANDBOX', ['bwrap', 'none'] as const, 'bwrap'),
    network: readBool(env, 'PROCESS_NETWORK', false),
    workspaceReadOnly: readBool(env, 'PROCESS_WORKSPACE_READONLY', false),
    envAllow,
    defaultTimeoutMs,
    maxTimeoutMs,
    maxOutputBytes: readInt(env, 'PROCESS_MAX_OUTPUT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    cpuSeconds: readInt(env, 'PROCESS_CPU_SECONDS', 60, 1, 86_400),
    memoryMb: readInt(env, 'PROCESS_MEMORY_MB', 1024, 0, 1024 * 1024),
    maxProcesses: readInt(env, 'PROCESS_MAX_PROCS', 64, 1, 100_000),
    maxFileBytes: readInt(env, 'PROCESS_MAX_FILE_BYTES', 100 * 1024 * 1024, 1, 1024 ** 4),
    tmpBytes: readInt(env, 'PROCESS_TMP_BYTES', 64 * 1024 * 1024, 1024 * 1024, 1024 ** 4),
    maxConcurrent,
    maxPerCaller,
  };
}

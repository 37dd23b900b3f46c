import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ProcessConfig } from '../../config/process.js';

/** Where the workspace appears inside the sandbox; also HOME there. */
export const SANDBOX_WORKSPACE = '/workspace';
/** The PATH commands see (and the folders argv[0] is looked up in): system folders only. */
export const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const TOP_LEVEL_SYSTEM = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];
/**
 * Security: the only parts of /etc a command sees. Not /etc as a whole: the server may run as root,
 * and root inside the sandbox still owns root's files, so /etc/shadow, /etc/ssh keys, TLS private
 * keys and the like are simply absent rather than merely unreadable.
 */
const ETC_FILES = [
  'passwd',
  'group',
  'hosts',
  'host.conf',
  'nsswitch.conf',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'alternatives',
  'localtime',
  'timezone',
  'os-release',
  'debian_version',
  'mime.types',
  'protocols',
  'services',
  'gitconfig',
  'ssl/certs',
  'ca-certificates',
  'ca-certificates.conf',
];

export interface SandboxLayout {
  /** Real path of the workspace root on the host. */
  workspaceRoot: string;
  /** Host paths a command must never see even where they lie inside a mounted folder. */
  hidden: string[];
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realOrUndefined(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

/** `--tmpfs` over hidden folders and /dev/null over hidden files that fall inside what is mounted. */
function maskArgs(layout: SandboxLayout): string[] {
  const args: string[] = [];
  for (const hostPath of layout.hidden) {
    const real = realOrUndefined(hostPath);
    if (!real) continue;
    let inside: string | undefined;
    if (isInside(layout.workspaceRoot, real) && real !== layout.workspaceRoot) {
      inside = path.posix.join(SANDBOX_WORKSPACE, path.relative(layout.workspaceRoot, real).split(path.sep).join('/'));
    } else if (isInside('/usr', real) || isInside('/etc', real)) {
      inside = real;
    }
    if (!inside) continue;
    const isDir = statSync(real).isDirectory();
    args.push(...(isDir ? ['--tmpfs', inside] : ['--ro-bind', '/dev/null', inside]));
  }
  return args;
}

export interface BwrapOptions {
  config: ProcessConfig;
  layout: SandboxLayout;
  /** Workspace-relative working folder ('' = the root). */
  cwdRel: string;
  /** Adds --disable-userns (bubblewrap ≥ 0.8 and a kernel that allows it; found by the probe). */
  disableUserns: boolean;
}

/**
 * The bubblewrap command line that wraps one run. Fresh user, PID, IPC, UTS, cgroup and (unless
 * PROCESS_NETWORK=true) network namespaces; every capability dropped; system folders read-only;
 * the workspace at /workspace; a private /tmp, /proc (this PID namespace only) and /dev; nothing
 * else of the host. `--die-with-parent` ends the sandbox if the server dies; killing the sandbox's
 * PID 1 (its pid comes on the info fd, 3) ends every process inside, daemons included.
 */
export function bwrapArgs(options: BwrapOptions): string[] {
  const { config, layout } = options;
  const args = [
    '--die-with-parent',
    // Security: a new session, so a command cannot push keystrokes into a terminal (TIOCSTI).
    '--new-session',
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(config.network ? [] : ['--unshare-net']),
    ...(options.disableUserns ? ['--disable-userns'] : []),
    // Security: root inside a user namespace would hold every capability there; drop them all.
    '--cap-drop',
    'ALL',
    '--hostname',
    'sandbox',
    '--info-fd',
    '3',
    '--ro-bind',
    '/usr',
    '/usr',
  ];
  for (const name of TOP_LEVEL_SYSTEM) {
    const host = `/${name}`;
    let stat: ReturnType<typeof lstatSync> | undefined;
    try {
      stat = lstatSync(host);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(host), host);
    else if (stat.isDirectory()) args.push('--ro-bind', host, host);
  }
  for (const name of ETC_FILES) args.push('--ro-bind-try', `/etc/${name}`, `/etc/${name}`);
  if (config.network) args.push('--ro-bind-try', '/etc/resolv.conf', '/etc/resolv.conf');
  args.push('--proc', '/proc', '--dev', '/dev', '--size', String(config.tmpBytes), '--tmpfs', '/tmp', '--dir', '/run');
  args.push(config.workspaceReadOnly ? '--ro-bind' : '--bind', layout.workspaceRoot, SANDBOX_WORKSPACE);
  args.push(...maskArgs(layout));
  args.push('--chdir', options.cwdRel === '' ? SANDBOX_WORKSPACE : path.posix.join(SANDBOX_WORKSPACE, options.cwdRel));
  return args;
}

export const PRLIMIT = '/usr/bin/prlimit';
const TIMEOUT = '/usr/bin/timeout';

/**
 * Resource limits, applied by prlimit to the command itself (and inherited by its children).
 * With `wallSeconds`, coreutils' timeout inside the sandbox also SIGKILLs the command past that
 * time: a backstop for a sandbox the server can no longer kill (it died while bwrap was still
 * starting, before --die-with-parent was armed).
 */
export function prlimitArgs(config: ProcessConfig, wallSeconds?: number): string[] {
  const backstop = wallSeconds !== undefined && existsSync(TIMEOUT) ? [TIMEOUT, '--signal=KILL', `${wallSeconds}s`] : [];
  return [
    PRLIMIT,
    `--cpu=${config.cpuSeconds}`,
    ...(config.memoryMb > 0 ? [`--as=${config.memoryMb * 1024 * 1024}`] : []),
    `--nproc=${config.maxProcesses}`,
    `--fsize=${config.maxFileBytes}`,
    '--core=0',
    '--',
    ...backstop,
  ];
}

export type ProbeResult = { ok: true; disableUserns: boolean } | { ok: false; reason: string };

/**
 * Whether bubblewrap runs here with the flags a real run uses (user namespaces may be off, bwrap
 * missing, seccomp in a container refusing them). Run once at startup.
 */
export function probeBwrap(config: ProcessConfig, layout: SandboxLayout, bwrap = 'bwrap'): ProbeResult {
  if (!existsSync(PRLIMIT)) return { ok: false, reason: `${PRLIMIT} (util-linux) is missing` };
  let reason = 'bwrap did not run';
  for (const disableUserns of [true, false]) {
    const args = [...bwrapArgs({ config, layout, cwdRel: '', disableUserns }), '--', ...prlimitArgs(config), '/bin/true'];
    const out = spawnSync(bwrap, args, { env: { PATH: SANDBOX_PATH }, stdio: ['ignore', 'ignore', 'pipe', 'pipe'], timeout: 15_000 });
    if (out.status === 0) return { ok: true, disableUserns };
    reason = out.error
      ? (out.error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'bwrap is not installed (Debian/Ubuntu package: bubblewrap)'
        : out.error.message
      : (out.stderr?.toString().trim().split('\n').pop() ?? `exit ${out.status}`);
  }
  return { ok: false, reason };
}

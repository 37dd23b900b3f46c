import { accessSync, constants as C, statSync } from 'node:fs';
import path from 'node:path';
import { ToolError } from '../../core/errors.js';
import { SANDBOX_PATH } from './sandbox.js';

/**
 * argv[0] → the absolute path that is started, or a refusal. Security: only names on
 * PROCESS_ALLOW are started; a bare name is looked up on the fixed system PATH (never the
 * workspace, never the server's own PATH), and a name with a `/` must be an allowed absolute path
 * exactly, so `./git`, `../bin/sh` or `/tmp/x` cannot stand in for an allowed program.
 */
export function resolveExecutable(argv0: string, allow: ReadonlySet<string>): string {
  if (!allow.has(argv0)) {
    const allowed = allow.size === 0 ? 'none (PROCESS_ALLOW is empty)' : [...allow].join(', ');
    throw new ToolError('FORBIDDEN', `"${argv0}" is not an allowed executable. Allowed: ${allowed}.`);
  }
  const candidates = argv0.includes('/') ? [argv0] : SANDBOX_PATH.split(':').map((dir) => path.join(dir, argv0));
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, C.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new ToolError('NOT_FOUND', `"${argv0}" is allowed but not installed on this server (looked in ${SANDBOX_PATH}).`);
}

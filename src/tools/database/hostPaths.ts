import { realpathSync } from 'node:fs';
import { ToolError } from '../../core/errors.js';
import type { ToolOperation } from '../../core/operation.js';

export const MASK = '[server path]';

function variants(paths: string[]): string[] {
  const all = new Set<string>();
  for (const p of paths) {
    // One character paths ("/") would mask every value.
    if (p.length > 1) all.add(p);
    try {
      const real = realpathSync(p);
      if (real.length > 1) all.add(real);
    } catch {
      // Not created yet: the configured spelling is the one a reply could carry.
    }
  }
  // Longest first, so the database file is masked whole rather than as DATA_DIR + a name.
  return [...all].sort((a, b) => b.length - a.length);
}

/**
 * Security: no reply of the database tool may carry a host path (issue 18 item 5). The ways a
 * statement could read one are refused where they start (SQLite's database_list); this is the net
 * for every other route: rows, column names, error messages. A path counts where it is neither
 * part of a longer path nor followed by a name character, so DATA_DIR=/data masks "/data/x" but
 * not "/database" or "/srv/data".
 */
export function pathMasker(paths: string[]): <T>(value: T) => T {
  const list = variants(paths);
  if (list.length === 0) return (value) => value;
  const escaped = list.map((p) => p.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'));
  const pattern = new RegExp(`(?<![A-Za-z0-9_.~/-])(?:${escaped.join('|')})(?![A-Za-z0-9_])`, 'g');
  const mask = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(pattern, MASK);
    if (Array.isArray(value)) return value.map(mask);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [mask(k), mask(v)]));
    return value;
  };
  return <T>(value: T) => mask(value) as T;
}

/** Wraps an operation so its result and its error messages pass through the masker. */
export function maskPaths<P, R>(op: ToolOperation<P, R>, mask: <T>(value: T) => T): ToolOperation<P, R> {
  return {
    ...op,
    handler: async (params, ctx) => {
      try {
        return mask(await op.handler(params, ctx));
      } catch (error) {
        if (error instanceof ToolError) {
          const message = mask(error.message);
          if (message !== error.message) throw new ToolError(error.code, message, error.details && mask(error.details));
        }
        throw error;
      }
    },
  };
}

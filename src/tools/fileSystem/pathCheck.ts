import path from 'node:path';

/**
 * The one containment rule: is `candidate` the root itself or something below it?
 *
 * Both arguments must already be absolute *real* paths (symlinks resolved by the caller); this
 * function does no I/O so it can be tested exhaustively. Anything odd (relative, NUL byte, empty)
 * is "outside".
 */
export function isInsideRoot(candidate: string, root: string): boolean {
  if (typeof candidate !== 'string' || typeof root !== 'string') return false;
  if (candidate === '' || root === '') return false;
  if (candidate.includes('\0') || root.includes('\0')) return false;
  if (!path.isAbsolute(candidate) || !path.isAbsolute(root)) return false;
  const c = path.resolve(candidate);
  const r = path.resolve(root);
  if (c === r) return true;
  // Security: compare with a trailing separator so a sibling such as `/root-evil` never passes
  // for `/root` (a bare startsWith would accept it).
  const prefix = r.endsWith(path.sep) ? r : r + path.sep;
  return c.startsWith(prefix);
}

import picomatch from 'picomatch';
import { ToolError } from '../../core/errors.js';

/**
 * Glob matching for search_files and exclusions. Paths are relative to the folder searched;
 * a pattern without `/` matches a name at any depth (`*.md`, `node_modules`); dot files match.
 */
export function compileGlobs(patterns: string[], label: string): (relPath: string) => boolean {
  if (patterns.length === 0) return () => false;
  try {
    return picomatch(patterns, { dot: true, basename: true });
  } catch {
    throw new ToolError('INVALID_PARAMS', `One of the ${label} patterns is not a valid glob.`);
  }
}

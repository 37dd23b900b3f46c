import picomatch from 'picomatch';
import { ToolError } from '../../core/errors.js';

/**
 * Glob matching for search_files and exclusions. Paths are relative to the folder searched;
 * a pattern without `/` matches an entry's name at any depth (`*.md`, `node_modules`), a pattern
 * with `/` matches the whole relative path (`src/**\/*.ts`). Dot files match.
 * (picomatch's own `basename` option also applies slash patterns to the name, so we split here.)
 */
export function compileGlobs(patterns: string[], label: string): (relPath: string) => boolean {
  if (patterns.length === 0) return () => false;
  const byName = patterns.filter((p) => !p.includes('/'));
  const byPath = patterns.filter((p) => p.includes('/')).map((p) => p.replace(/^\.?\//, ''));
  let nameMatch: (s: string) => boolean = () => false;
  let pathMatch: (s: string) => boolean = () => false;
  try {
    if (byName.length > 0) nameMatch = picomatch(byName, { dot: true });
    if (byPath.length > 0) pathMatch = picomatch(byPath, { dot: true });
  } catch {
    throw new ToolError('INVALID_PARAMS', `One of the ${label} patterns is not a valid glob.`);
  }
  return (relPath) => pathMatch(relPath) || nameMatch(relPath.slice(relPath.lastIndexOf('/') + 1));
}

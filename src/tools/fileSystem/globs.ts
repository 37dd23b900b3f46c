import { compileGlob, GlobSyntaxError, type Glob } from '../../core/glob.js';
import type { Pacer } from '../../core/pacer.js';
import { ToolError } from '../../core/errors.js';

/** A compiled list of globs: an entry matches when any of them does. */
export interface GlobList {
  readonly empty: boolean;
  /** Matches a path relative to the folder searched, yielding to the event loop as `pacer` says. */
  test(relPath: string, pacer: Pacer): Promise<boolean>;
}

/**
 * Glob matching for search_files and exclusions. Paths are relative to the folder searched;
 * a pattern without `/` matches an entry's name at any depth (`*.md`, `node_modules`), a pattern
 * with `/` matches the whole relative path (`src/**\/*.ts`). Dot files match.
 *
 * Security: patterns come from callers, so they run on core/glob's linear-time matcher (no
 * backtracking regular expressions), and between patterns (and within a long path) the match
 * yields through the caller's Pacer, so fifty long patterns cannot hold the event loop either.
 */
export function compileGlobs(patterns: string[], label: string): GlobList {
  const byName: Glob[] = [];
  const byPath: Glob[] = [];
  for (const pattern of patterns) {
    try {
      if (pattern.includes('/')) byPath.push(compileGlob(pattern.replace(/^\.?\//, '')));
      else byName.push(compileGlob(pattern));
    } catch (error) {
      const why = error instanceof GlobSyntaxError ? ` (${error.message})` : '';
      throw new ToolError('INVALID_PARAMS', `The ${label} pattern "${pattern.slice(0, 100)}" is not a valid glob${why}.`);
    }
  }
  return {
    empty: patterns.length === 0,
    async test(relPath, pacer) {
      const name = relPath.slice(relPath.lastIndexOf('/') + 1);
      for (const glob of byPath) {
        if (await glob.testPaced(relPath, pacer)) return true;
        await pacer.tick();
      }
      for (const glob of byName) {
        if (await glob.testPaced(name, pacer)) return true;
        await pacer.tick();
      }
      return false;
    },
  };
}

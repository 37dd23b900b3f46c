import path from 'node:path';
import { compileGlob } from '../../../core/glob.js';

/** Extensions indexed as text. Files without an extension (README, Makefile…) are sniffed instead. */
const TEXT_EXTENSIONS = new Set(
  (
    'txt text md markdown mdx rst adoc asciidoc org tex csv tsv log ' +
    'json jsonl ndjson json5 yaml yml toml ini cfg conf properties xml ' +
    'html htm xhtml css scss sass less ' +
    'js mjs cjs jsx ts mts cts tsx vue svelte py pyi rb go rs java kt kts scala groovy gradle ' +
    'c h cc cpp cxx hpp hh cs fs fsx php pl pm swift m mm r jl lua dart ex exs erl hrl hs elm ' +
    'clj cljs edn sh bash zsh fish ps1 bat cmd sql graphql gql proto tf hcl nix vim el lisp scm ' +
    'ml mli zig nim tcl diff patch mk cmake dockerfile'
  ).split(/\s+/),
);

/** Directories never walked, whatever the configuration says. */
const ALWAYS_SKIPPED_DIRS = new Set(['node_modules']);

export interface PathFilter {
  /** Whether a file at this workspace-relative path may be indexed (and fetched). */
  file(rel: string): boolean;
  /** Whether the walk should descend into this directory. */
  directory(rel: string): boolean;
}

export function extensionOf(rel: string): string {
  return path.posix.extname(rel).slice(1).toLowerCase();
}

/**
 * Security: hidden files and folders (`.env`, `.git/`, `.ssh/`…) and node_modules are never
 * indexed, so neither search nor fetch can surface them; operators can exclude more with globs.
 */
export function createPathFilter(excludeGlobs: readonly string[]): PathFilter {
  // The operator's globs, on the same linear-time matcher as callers' (SEARCH_INDEX_EXCLUDE is checked at startup).
  const globs = excludeGlobs.map((pattern) => compileGlob(pattern));
  const excluded = (rel: string) => globs.some((glob) => glob.test(rel));
  const hiddenOrSkipped = (rel: string) => rel.split('/').some((segment) => segment.startsWith('.') || ALWAYS_SKIPPED_DIRS.has(segment));
  return {
    file(rel) {
      if (rel === '' || hiddenOrSkipped(rel) || excluded(rel)) return false;
      const ext = extensionOf(rel);
      return ext === '' || TEXT_EXTENSIONS.has(ext);
    },
    directory(rel) {
      return rel === '' || !(hiddenOrSkipped(rel) || excluded(rel));
    },
  };
}

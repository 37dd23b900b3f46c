/** Most words a query contributes; longer questions keep their first words. */
const MAX_TERMS = 32;

export interface MatchExpressions {
  /** Every word must occur (precise). */
  all: string;
  /** Any word may occur (recall), used to fill up when `all` finds too little. */
  any: string;
  /** The words themselves (lower case), for snippets. */
  terms: string[];
}

/**
 * Turns free text into FTS5 MATCH expressions. Each word becomes a quoted string, so FTS5 query
 * syntax in the input (`NEAR`, `col:`, `*`, `^`, unbalanced quotes) is plain text, never syntax.
 */
export function matchExpressions(query: string): MatchExpressions | undefined {
  const words = query
    .normalize('NFKC')
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu);
  if (!words) return undefined;
  const unique = [...new Set(words)].slice(0, MAX_TERMS);
  const quoted = unique.map((w) => `"${w}"`);
  return { all: quoted.join(' AND '), any: quoted.join(' OR '), terms: unique };
}

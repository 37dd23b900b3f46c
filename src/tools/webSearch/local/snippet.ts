/** Characters of a document's text a snippet is looked for in (and read from the index). */
export const SNIPPET_SOURCE_CHARS = 32 * 1024;
/** Words in a snippet (FTS5's snippet() used 24 too). */
const SNIPPET_WORDS = 24;
const BEFORE = 6;

const WORD = /[\p{L}\p{N}]+/gu;

function matches(token: string, terms: readonly string[]): boolean {
  const lower = token.toLowerCase();
  // Prefixes in both directions stand in for the index's stemming ("report" ~ "reports", "running" ~ "run").
  return terms.some((t) => lower === t || (t.length >= 3 && lower.startsWith(t)) || (lower.length >= 4 && t.startsWith(lower)));
}

/**
 * A passage of about 24 words around the first word matching the query, with `**marks**`.
 *
 * Security: FTS5's own snippet() scores every fragment of the whole document and takes minutes on
 * a large document dense with the query's words. This looks at the first SNIPPET_SOURCE_CHARS only,
 * in one linear pass; a document whose match lies further in shows its beginning.
 */
export function makeSnippet(source: string, terms: readonly string[]): string {
  const tokens: Array<{ start: number; end: number; hit: boolean }> = [];
  let first = -1;
  for (const m of source.matchAll(WORD)) {
    const hit = matches(m[0], terms);
    if (hit && first < 0) first = tokens.length;
    tokens.push({ start: m.index, end: m.index + m[0].length, hit });
    // Enough words after the first hit: the rest of the text is not needed.
    if (first >= 0 && tokens.length >= first + SNIPPET_WORDS) break;
  }
  if (tokens.length === 0) return '';
  const from = Math.max(0, Math.min(first < 0 ? 0 : first - BEFORE, tokens.length - SNIPPET_WORDS));
  const window = tokens.slice(from, from + SNIPPET_WORDS);
  let out = from > 0 ? '…' : '';
  let at = window[0]!.start;
  for (const token of window) {
    out += source.slice(at, token.start);
    const word = source.slice(token.start, token.end);
    out += token.hit ? `**${word}**` : word;
    at = token.end;
  }
  const last = window[window.length - 1]!;
  const more = from + window.length < tokens.length || /[\p{L}\p{N}]/u.test(source.slice(last.end));
  return (out + (more ? '…' : '')).replace(/\s+/g, ' ').trim();
}

import path from 'node:path';
import { htmlToTextOffThread } from '../htmlOffThread.js';
import { extensionOf } from './pathFilter.js';

export interface ExtractedDocument {
  title: string;
  /** What is indexed and what fetch returns: the text itself, or readable text for HTML. */
  text: string;
}

const MAX_TITLE = 200;
const HTML = new Set(['html', 'htm', 'xhtml']);
const MARKDOWN = new Set(['md', 'markdown', 'mdx']);

/** Whether a buffer looks binary: a NUL byte in its first 8 KiB (the heuristic git and grep use). */
export function looksBinary(buffer: Buffer): boolean {
  return buffer.subarray(0, 8192).includes(0);
}

/** Title and text of one document; HTML is converted in a worker thread, stopped by `signal` or `timeoutMs`. */
export async function extractDocument(
  rel: string,
  source: string,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<ExtractedDocument> {
  const ext = extensionOf(rel);
  const fallback = path.posix.basename(rel);
  if (HTML.has(ext)) {
    const html = await htmlToTextOffThread(source, options);
    return { title: clip(html.title || fallback), text: html.text };
  }
  if (MARKDOWN.has(ext)) {
    return { title: clip(markdownTitle(source) || fallback), text: source };
  }
  return { title: fallback, text: source };
}

/**
 * Front-matter `title:` or the first `#`/`##` heading within the first lines. Security: parsed
 * with string operations, not regular expressions like `/^#{1,2}\s+(.+?)\s*#*\s*$/`, whose
 * backtracking is quadratic on a long line of spaces.
 */
function markdownTitle(source: string): string | undefined {
  const lines = source.slice(0, 16_384).split('\n');
  if (lines[0]?.trim() === '---') {
    for (let i = 1; i < lines.length && lines[i]!.trim() !== '---'; i++) {
      const line = lines[i]!;
      if (!line.startsWith('title:')) continue;
      const value = unquote(line.slice('title:'.length).trim());
      if (value) return value;
    }
  }
  let fenced = false;
  for (const raw of lines) {
    const line = raw.trimStart();
    if (line.startsWith('```') || line.startsWith('~~~')) fenced = !fenced;
    if (fenced || raw !== line) continue;
    const level = line.startsWith('## ') || line.startsWith('##\t') ? 2 : line.startsWith('# ') || line.startsWith('#\t') ? 1 : 0;
    if (level === 0) continue;
    const text = trimClosingHashes(line.slice(level).trim());
    if (text) return text;
  }
  return undefined;
}

function unquote(value: string): string {
  const first = value[0];
  const start = first === '"' || first === "'" ? 1 : 0;
  const last = value[value.length - 1];
  const end = value.length > start && (last === '"' || last === "'") ? value.length - 1 : value.length;
  return value.slice(start, end).trim();
}

/** `Title ##` → `Title` (the optional closing sequence of an ATX heading). */
function trimClosingHashes(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end--;
  return text.slice(0, end).trim() || text;
}

function clip(title: string): string {
  const one = title.replace(/\s+/g, ' ').trim();
  return one.length > MAX_TITLE ? `${one.slice(0, MAX_TITLE)}…` : one;
}

import path from 'node:path';
import { htmlTitle, htmlToReadableText } from '../htmlText.js';
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

export function extractDocument(rel: string, source: string): ExtractedDocument {
  const ext = extensionOf(rel);
  const fallback = path.posix.basename(rel);
  if (HTML.has(ext)) {
    return { title: clip(htmlTitle(source) || fallback), text: htmlToReadableText(source) };
  }
  if (MARKDOWN.has(ext)) {
    return { title: clip(markdownTitle(source) || fallback), text: source };
  }
  return { title: fallback, text: source };
}

/** Front-matter `title:` or the first `#`/`##` heading within the first lines. */
function markdownTitle(source: string): string | undefined {
  const lines = source.slice(0, 16_384).split(/\r?\n/);
  if (lines[0]?.trim() === '---') {
    for (let i = 1; i < lines.length && lines[i]!.trim() !== '---'; i++) {
      const m = /^title:\s*["']?(.+?)["']?\s*$/.exec(lines[i]!);
      if (m) return m[1];
    }
  }
  let fenced = false;
  for (const line of lines) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const m = /^#{1,2}\s+(.+?)\s*#*\s*$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

function clip(title: string): string {
  const one = title.replace(/\s+/g, ' ').trim();
  return one.length > MAX_TITLE ? `${one.slice(0, MAX_TITLE)}…` : one;
}

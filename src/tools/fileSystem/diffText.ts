import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

const CONTEXT = 3;
/**
 * Myers diff costs O((N+M)·D); for a rewrite of a large file D is huge and the diff would pin the
 * CPU for minutes. Past these bounds we fall back to one hunk that replaces the changed middle.
 */
// Security: bounds the CPU one edit_file call can use.
const MAX_EDIT_LENGTH = 1000;
// It runs in a worker thread (editOffThread.ts), so this bounds CPU, not event-loop time.
const TIMEOUT_MS = 250;

function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === '' ? [] : lines;
}

function hunkLines(prefix: string, lines: string[]): string {
  return lines.map((line) => (line.endsWith('\n') ? `${prefix}${line}` : `${prefix}${line}\n\\ No newline at end of file\n`)).join('');
}

function range(start: number, count: number): string {
  // Unified diff convention: an empty range is shown at the line before it.
  return count === 0 ? `${start},0` : count === 1 ? `${start}` : `${start},${count}`;
}

/** One hunk: common leading and trailing lines as context, everything between replaced. */
export function coarseDiff(oldName: string, newName: string, oldText: string, newText: string): string {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const before = a.slice(Math.max(0, head - CONTEXT), head);
  const after = a.slice(a.length - tail, a.length - tail + CONTEXT);
  const removed = a.slice(head, a.length - tail);
  const added = b.slice(head, b.length - tail);
  const start = head - before.length;
  const oldCount = before.length + removed.length + after.length;
  const newCount = before.length + added.length + after.length;
  return (
    `--- ${oldName}\n+++ ${newName}\n` +
    `@@ -${range(oldCount === 0 ? start : start + 1, oldCount)} +${range(newCount === 0 ? start : start + 1, newCount)} @@\n` +
    hunkLines(' ', before) +
    hunkLines('-', removed) +
    hunkLines('+', added) +
    hunkLines(' ', after)
  );
}

/** A unified diff from old to new, computed within a bounded time. */
export function unifiedDiff(name: string, oldText: string, newText: string): string {
  const oldName = `a/${name}`;
  const newName = `b/${name}`;
  if (oldText === newText) return '';
  const exact = createTwoFilesPatch(oldName, newName, oldText, newText, undefined, undefined, {
    context: CONTEXT,
    // Plain `--- a/x` / `+++ b/x` headers like git's, without jsdiff's `Index:` and `====` lines.
    headerOptions: FILE_HEADERS_ONLY,
    maxEditLength: MAX_EDIT_LENGTH,
    timeout: TIMEOUT_MS,
  });
  return exact ?? coarseDiff(oldName, newName, oldText, newText);
}

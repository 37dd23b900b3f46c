import { ToolError } from '../../core/errors.js';
import { quote } from './display.js';

export interface TextEdit {
  old_text: string;
  new_text: string;
}

/**
 * Where `needle` occurs, overlapping occurrences included ("exactly once" must be strict).
 * Security: Knuth–Morris–Pratt, so the cost is linear: repeated `indexOf` from every match is quadratic on
 * periodic text, which a single large edit could use to pin the CPU.
 */
export function occurrences(haystack: string, needle: string, limit = 1000): number[] {
  const m = needle.length;
  const found: number[] = [];
  if (m === 0) return found;
  const prefix = new Int32Array(m);
  for (let i = 1, k = 0; i < m; i++) {
    while (k > 0 && needle.charCodeAt(i) !== needle.charCodeAt(k)) k = prefix[k - 1]!;
    if (needle.charCodeAt(i) === needle.charCodeAt(k)) k++;
    prefix[i] = k;
  }
  for (let i = 0, k = 0; i < haystack.length; i++) {
    while (k > 0 && haystack.charCodeAt(i) !== needle.charCodeAt(k)) k = prefix[k - 1]!;
    if (haystack.charCodeAt(i) === needle.charCodeAt(k)) k++;
    if (k === m) {
      found.push(i - m + 1);
      if (found.length >= limit) break;
      k = prefix[k - 1]!;
    }
  }
  return found;
}

/**
 * Applies exact replacements in order, each to the result of the previous ones. Every old_text
 * must occur exactly once, or nothing is applied. When the file uses CRLF and an edit was written
 * with LF, the edit is matched (and written) with CRLF so line endings stay consistent.
 */
export function applyEdits(text: string, edits: TextEdit[], display: string): string {
  let result = text;
  edits.forEach((edit, index) => {
    const label = edits.length > 1 ? `Edit ${index + 1} of ${edits.length}` : 'The edit';
    let oldText = edit.old_text;
    let newText = edit.new_text;
    let found = occurrences(result, oldText);
    if (found.length === 0 && result.includes('\r\n') && oldText.includes('\n') && !oldText.includes('\r')) {
      const crlfOld = oldText.replace(/\n/g, '\r\n');
      const crlfFound = occurrences(result, crlfOld);
      if (crlfFound.length > 0) {
        oldText = crlfOld;
        newText = newText.replace(/\r?\n/g, '\r\n');
        found = crlfFound;
      }
    }
    if (found.length === 0) {
      throw new ToolError(
        'INVALID_PARAMS',
        `${label}: old_text was not found in ${quote(display)}. Copy it exactly from read_file (spaces, indentation and line breaks count); edits apply in order, each to the result of the previous ones. Nothing was changed.`,
      );
    }
    if (found.length > 1) {
      throw new ToolError(
        'INVALID_PARAMS',
        `${label}: old_text occurs ${found.length >= 1000 ? '1000 or more' : found.length} times in ${quote(display)}; include more surrounding lines so it matches exactly once. Nothing was changed.`,
      );
    }
    const at = found[0]!;
    result = result.slice(0, at) + newText + result.slice(at + oldText.length);
  });
  return result;
}

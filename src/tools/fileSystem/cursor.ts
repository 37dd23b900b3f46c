import { ToolError } from '../../core/errors.js';

/**
 * list_directory's opaque cursor: the folder it belongs to and the last name already returned.
 * Paging by name (not by offset) stays correct when entries are added or removed between pages.
 */
interface CursorData {
  v: 1;
  dir: string;
  after: string;
}

export function encodeCursor(dir: string, after: string): string {
  const data: CursorData = { v: 1, dir, after };
  return Buffer.from(JSON.stringify(data), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, dir: string): string {
  let data: Partial<CursorData> | undefined;
  try {
    data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorData>;
  } catch {
    data = undefined;
  }
  if (data?.v !== 1 || typeof data.after !== 'string' || typeof data.dir !== 'string') {
    throw new ToolError('INVALID_PARAMS', 'The cursor is not one list_directory returned; omit it to start from the first page.');
  }
  if (data.dir !== dir) {
    throw new ToolError('INVALID_PARAMS', 'That cursor belongs to a different folder; omit it to list this folder from the start.');
  }
  return data.after;
}

/** Plain code-unit order: deterministic and locale-independent, as the cursor needs. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { ToolError } from '../../../core/errors.js';

/**
 * Workspace files as MCP resources are `file:///<path>`, the path relative to the workspace root
 * (the root is the caller's `/`, as for every file_system operation), each segment
 * percent-encoded. `file:///notes/todo.md` is `notes/todo.md` in the workspace; nothing names a
 * file outside it.
 */
export const FILE_URI_PREFIX = 'file:///';
/** RFC 6570 reserved expansion: `{+path}` keeps the `/` between segments. */
export const FILE_URI_TEMPLATE = 'file:///{+path}';

/** Whether a URI is one of ours (the scheme and the empty authority); anything else is "not found". */
export function isFileUri(uri: string): boolean {
  return uri.slice(0, FILE_URI_PREFIX.length).toLowerCase() === FILE_URI_PREFIX;
}

/** The URI of a workspace-relative path (segments joined by `/`). */
export function uriForPath(rel: string): string {
  return FILE_URI_PREFIX + rel.split('/').map(encodeURIComponent).join('/');
}

function refused(uri: string, why: string): ToolError {
  return new ToolError(
    'INVALID_PARAMS',
    `${JSON.stringify(uri)} is not a workspace file URI: ${why}. Use ${FILE_URI_TEMPLATE}, e.g. file:///notes/todo.md.`,
  );
}

/**
 * The workspace-relative path a `file:///` URI names, or a refusal. Purely lexical; the path then
 * goes through the same parse and resolve as read_file (userPath.ts, resolve.ts), which confine it.
 *
 * Security:
 * - Each segment is percent-decoded exactly once, and `.`/`..` are refused whether written plainly
 *   or encoded (`%2e%2e`): a URI names one file, and no URI climbs, even inside the workspace.
 * - Empty segments are refused, so `file:////etc/passwd` (an absolute path in disguise) and a
 *   trailing `/` are not quietly rewritten into something else.
 * - A query or fragment (`?`, `#`) is refused rather than ignored: a file name containing them is
 *   sent percent-encoded, as resources/list does.
 * - NUL, backslashes and malformed escapes are refused (a backslash is a separator to read_file).
 */
export function pathFromUri(uri: string): string {
  if (!isFileUri(uri)) throw new ToolError('NOT_FOUND', `${JSON.stringify(uri)} is not a workspace file URI (file:///…).`);
  const rest = uri.slice(FILE_URI_PREFIX.length);
  if (rest === '') throw refused(uri, 'it names the workspace root, which is a folder, not a file');
  if (/[?#]/.test(rest)) throw refused(uri, 'it has a query or fragment (percent-encode "?" as %3F and "#" as %23)');
  const segments: string[] = [];
  for (const raw of rest.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw refused(uri, 'it has a malformed percent-escape');
    }
    if (segment === '') throw refused(uri, 'it has an empty path segment (a doubled or trailing "/")');
    if (segment === '.' || segment === '..') throw refused(uri, 'it has a "." or ".." segment');
    if (/[\0\\/]/.test(segment)) throw refused(uri, 'a segment decodes to "/", "\\" or NUL');
    segments.push(segment);
  }
  return segments.join('/');
}

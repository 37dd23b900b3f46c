import { ToolError } from '../../core/errors.js';

/** What a `fetch` id names: a workspace document or a web page. */
export type DocumentRef = { kind: 'file'; path: string } | { kind: 'web'; url: string };

/** The id search gives a workspace document: `file:` + its workspace-relative path. */
export function fileId(relPath: string): string {
  return `file:${relPath}`;
}

/**
 * The citation URL of a workspace document: `file:///` + its workspace-relative path (relative to
 * the workspace root, not the server's file system). fetch accepts it as an id too.
 */
export function fileUrl(relPath: string): string {
  return `file:///${relPath.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Accepted ids: `file:<path>` and `file:///<path>` (workspace documents), `url:<http(s) URL>` and
 * plain http(s) URLs (web pages), and a bare workspace-relative path.
 */
export function parseDocumentId(id: string): DocumentRef {
  const trimmed = id.trim();
  if (/^file:\/\//i.test(trimmed)) {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw new ToolError('INVALID_PARAMS', `"${id}" is not a valid file: id.`);
    }
    if (url.host !== '' && url.host !== 'localhost') {
      throw new ToolError('INVALID_PARAMS', 'file: ids name workspace documents; they cannot have a host.');
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(url.pathname);
    } catch {
      throw new ToolError('INVALID_PARAMS', `"${id}" is not a valid file: id.`);
    }
    return { kind: 'file', path: decoded };
  }
  if (/^file:/i.test(trimmed)) return { kind: 'file', path: trimmed.slice('file:'.length) };
  if (/^url:/i.test(trimmed)) return { kind: 'web', url: trimmed.slice('url:'.length) };
  if (/^https?:/i.test(trimmed)) return { kind: 'web', url: trimmed };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed);
  if (scheme && scheme[1]!.length > 1) {
    throw new ToolError('INVALID_PARAMS', `fetch reads ids returned by search (file:… or http(s) URLs), not ${scheme[1]}: ones.`, {
      reason: 'scheme',
    });
  }
  return { kind: 'file', path: trimmed };
}

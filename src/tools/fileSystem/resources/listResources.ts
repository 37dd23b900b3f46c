import type { Stats } from 'node:fs';
import path from 'node:path';
import type { CallContext } from '../../../core/context.js';
import { ToolError } from '../../../core/errors.js';
import { Pacer } from '../../../core/pacer.js';
import type { ResourceEntry, ResourcePage } from '../../../core/resource.js';
import type { FsContext } from '../fsContext.js';
import { compileGlobs } from '../globs.js';
import { walk } from '../walk.js';
import { lstatOrNull } from '../writeSupport.js';
import { uriForPath } from './fileUri.js';
import { mimeTypeOf } from './mimeTypes.js';

/** Most resources one page lists (FS_MAX_LIST_ENTRIES lowers it). */
export const RESOURCE_PAGE_SIZE = 100;
/**
 * Most entries (folders, links, refused files) one page walks past. A tree of empty folders has
 * no resources to fill a page with; past this, the page ends early with a cursor instead.
 */
export const RESOURCE_SCAN_BUDGET = 2000;
/** As search_files: far deeper than any real project. */
const MAX_DEPTH = 256;

const noExclusions = compileGlobs([], 'exclude');

interface Cursor {
  v: 1;
  /** Workspace-relative path of the last entry the previous page walked past. */
  after: string;
}

function encodeCursor(after: string): string {
  const data: Cursor = { v: 1, after };
  return Buffer.from(JSON.stringify(data), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string[] {
  let data: Partial<Cursor> | undefined;
  try {
    data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    data = undefined;
  }
  const segments = typeof data?.after === 'string' ? data.after.split('/') : [];
  // Security: the cursor only steers name comparisons in the walk (it never opens anything), but
  // one that resources/list cannot have made is refused all the same.
  if (data?.v !== 1 || segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\0'))) {
    throw new ToolError('INVALID_PARAMS', 'The cursor is not one resources/list returned; omit it to list from the first page.');
  }
  return segments;
}

/** What read_file (and so resources/read) would open: a regular file with one name, under the size cap. */
function readable(stat: Stats | null, tool: FsContext): stat is Stats {
  if (!stat?.isFile()) return false;
  if (stat.nlink > 1 && !tool.config.allowHardLinks) return false;
  return stat.size <= tool.config.maxReadBytes;
}

/**
 * One page of `resources/list`: the workspace's files in walk order (depth first, by name), from
 * the cursor on. Only what a read would serve is listed — symlinks (their targets inside the
 * workspace are listed under their own names), FIFOs, sockets, devices, hard-linked files and
 * files over the read cap are skipped — so a page may hold fewer entries than the page size.
 */
export async function listWorkspaceResources(tool: FsContext, cursor: string | undefined, ctx: CallContext): Promise<ResourcePage> {
  const pageSize = Math.min(RESOURCE_PAGE_SIZE, tool.config.maxListEntries);
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const pacer = new Pacer(ctx.signal);
  const candidates: string[] = [];
  let scanned = 0;
  let last: string | undefined;
  let more = false;

  // Security: the shared walk — never enters a symbolic link, opens every folder through the
  // workspace's verified-folder check, and yields the event loop between entries.
  for await (const entry of walk(tool.ws, tool.ws.root, '/', {
    maxDepth: MAX_DEPTH,
    exclude: noExclusions,
    pacer,
    signal: ctx.signal,
    after,
  })) {
    if (candidates.length >= pageSize || scanned >= RESOURCE_SCAN_BUDGET) {
      more = true;
      break;
    }
    scanned++;
    last = entry.rel;
    // A backslash is a separator to every path the tools take, so such a name cannot be read back.
    if (entry.type === 'file' && !entry.rel.includes('\\')) candidates.push(entry.rel);
  }

  const resources = await describe(tool, candidates, pacer);
  return { resources, ...(more && last !== undefined ? { nextCursor: encodeCursor(last) } : {}) };
}

/** lstat each candidate inside its verified folder (one open per folder), keeping what a read would serve. */
async function describe(tool: FsContext, rels: string[], pacer: Pacer): Promise<ResourceEntry[]> {
  const out: ResourceEntry[] = [];
  let i = 0;
  while (i < rels.length) {
    const parent = path.posix.dirname(rels[i]!);
    let j = i;
    while (j < rels.length && path.posix.dirname(rels[j]!) === parent) j++;
    const group = rels.slice(i, j);
    i = j;
    const absDir = parent === '.' ? tool.ws.root : path.join(tool.ws.root, parent);
    const stats = await tool.ws
      .inDir(absDir, parent, async (dir) => {
        const found: Array<Stats | null> = [];
        for (const rel of group) {
          await pacer.tick();
          found.push(await lstatOrNull(dir.child(path.posix.basename(rel))).catch(() => null));
        }
        return found;
      })
      // A folder that vanished or changed since the walk: its files are simply not on this page.
      .catch(() => group.map(() => null));
    group.forEach((rel, k) => {
      const stat = stats[k] ?? null;
      if (!readable(stat, tool)) return;
      const known = mimeTypeOf(rel);
      out.push({
        uri: uriForPath(rel),
        name: rel,
        ...(known ? { mimeType: known.mimeType } : {}),
        size: stat.size,
        annotations: { lastModified: stat.mtime.toISOString() },
      });
    });
  }
  return out;
}

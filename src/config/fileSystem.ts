import { readBool, readInt, type Env } from './env.js';

/** file_system tool settings (issue: file_system tool). */
export interface FileSystemConfig {
  /** When true only the read operations exist, in both dialects. */
  readOnly: boolean;
  /** Largest file read whole, and most bytes of text one read returns. */
  maxReadBytes: number;
  /** Largest content write_file / edit_file will store. */
  maxWriteBytes: number;
  /** Most entries one list_directory page or one directory_tree returns. */
  maxListEntries: number;
  /** Deepest level directory_tree descends to. */
  maxTreeDepth: number;
  /** Most paths one read_multiple_files call takes. */
  maxMultiRead: number;
  /** Most matches one search_files call returns. */
  maxSearchResults: number;
  /** How long a read_file result may be served from cache (0 = never cached). */
  cacheTtlMs: number;
  /** The 2026-07-28 `ttlMs` hint on MCP resources/list and resources/read results (0 = clients ask again). */
  resourceCacheTtlMs: number;
  /** Read files with more than one hard link (also for web_search fetch and indexing). */
  allowHardLinks: boolean;
  /** Watch the workspace for changes made outside the server (search index and cached reads follow them). */
  watchWorkspace: boolean;
  /** Changes seen within this many ms are applied together. */
  watchDebounceMs: number;
}

const MIB = 1024 * 1024;

export function parseFileSystemConfig(env: Env): FileSystemConfig {
  return {
    readOnly: readBool(env, 'FS_READ_ONLY', false),
    maxReadBytes: readInt(env, 'FS_MAX_READ_BYTES', MIB, 1, 1024 * MIB),
    maxWriteBytes: readInt(env, 'FS_MAX_WRITE_BYTES', 10 * MIB, 1, 1024 * MIB),
    maxListEntries: readInt(env, 'FS_MAX_LIST_ENTRIES', 1000, 1, 100_000),
    maxTreeDepth: readInt(env, 'FS_MAX_TREE_DEPTH', 10, 1, 100),
    maxMultiRead: readInt(env, 'FS_MAX_MULTI_READ', 20, 1, 1000),
    maxSearchResults: readInt(env, 'FS_MAX_SEARCH_RESULTS', 500, 1, 100_000),
    cacheTtlMs: readInt(env, 'FS_CACHE_TTL_MS', 10_000, 0, 86_400_000),
    // At most a day: the official client ignores longer hints (its MAX_CACHE_TTL_MS).
    resourceCacheTtlMs: readInt(env, 'FS_RESOURCE_CACHE_TTL_MS', 0, 0, 86_400_000),
    allowHardLinks: readBool(env, 'FS_ALLOW_HARD_LINKS', false),
    watchWorkspace: readBool(env, 'WATCH_WORKSPACE', true),
    // At most 1 s: changes made outside the server are promised to show within 2 s.
    watchDebounceMs: readInt(env, 'WATCH_DEBOUNCE_MS', 200, 0, 1000),
  };
}

import { defineResource, type ResourceDeclaration } from '../../../core/resource.js';
import { readTags } from '../cacheTags.js';
import type { FsContext } from '../fsContext.js';
import { FILE_URI_TEMPLATE, isFileUri } from './fileUri.js';
import { listWorkspaceResources } from './listResources.js';
import { readWorkspaceResource } from './readResource.js';

/**
 * The workspace's files as MCP resources. Reads share read_file's cache entries' tags, so every
 * write through the tools (write_file, edit_file, move_file, …) evicts cached lists and reads.
 */
export function workspaceResources(tool: FsContext): ResourceDeclaration {
  return defineResource({
    name: 'workspace_file',
    title: 'Workspace file',
    description:
      'A file in the workspace, by its path relative to the workspace root: file:///notes/todo.md is notes/todo.md. ' +
      'UTF-8 text comes back as text, anything else as base64 bytes.',
    scope: 'read',
    uriTemplate: FILE_URI_TEMPLATE,
    owns: isFileUri,
    list: (cursor, ctx) => listWorkspaceResources(tool, cursor, ctx),
    read: (uri) => readWorkspaceResource(tool, uri),
    cache: { ttlMs: tool.config.cacheTtlMs, tags: readTags },
    // A write through the tools evicts the server's cache but cannot reach a client's, so clients
    // are told to ask again (FS_RESOURCE_CACHE_TTL_MS=0) unless the operator says the workspace
    // changes rarely enough. Security: `private` — replies depend on the caller's credentials, so
    // no shared cache may keep them.
    clientCache: { ttlMs: tool.config.resourceCacheTtlMs, cacheScope: 'private' },
    rateLimitAs: { list: 'file_system.list_directory', read: 'file_system.read_file' },
  });
}

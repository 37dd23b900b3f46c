import { constants as C, promises as fs } from 'node:fs';
import type { ToolOperation } from '../../core/operation.js';
import type { ToolEnv, ToolFactory, ToolModule } from '../../core/toolModule.js';
import type { WriteHooks } from './atomicWrite.js';
import { makeEmitter, type FsContext } from './fsContext.js';
import { createDirectoryOperation } from './operations/createDirectory.js';
import { deleteFileOperation } from './operations/deleteFile.js';
import { directoryTreeOperation } from './operations/directoryTree.js';
import { editFileOperation } from './operations/editFile.js';
import { getFileInfoOperation } from './operations/getFileInfo.js';
import { listDirectoryOperation } from './operations/listDirectory.js';
import { moveFileOperation } from './operations/moveFile.js';
import { readFileOperation } from './operations/readFile.js';
import { readMultipleFilesOperation } from './operations/readMultipleFiles.js';
import { searchFilesOperation } from './operations/searchFiles.js';
import { writeFileOperation } from './operations/writeFile.js';
import { workspaceResources } from './resources/workspaceResources.js';
import { TOOL } from './schemas.js';
import { writeWelcomeFile } from './welcome.js';
import { Workspace } from './workspace.js';

export interface FileSystemToolOptions {
  /** Test seam: fail a write at a chosen step to prove the old file survives. */
  hooks?: WriteHooks;
}

/** Builds the file_system tool; `createFileSystemTool` is this without test options. */
export async function buildFileSystemTool(env: ToolEnv, options: FileSystemToolOptions = {}): Promise<ToolModule> {
  const config = env.config.fileSystem;
  const ws = await Workspace.open(env.config.server.workspaceDir, { allowHardLinks: config.allowHardLinks });
  if (ws.createdNow) await writeWelcomeFile(ws.root, env.logger);
  const tool: FsContext = { ws, config, logger: env.logger, emit: makeEmitter(env.workspaceEvents, env.logger), hooks: options.hooks };

  // Declaration order is the order tools/list shows (the order of the issue).
  const all: ToolOperation[] = [
    readFileOperation(tool),
    readMultipleFilesOperation(tool),
    writeFileOperation(tool),
    editFileOperation(tool),
    listDirectoryOperation(tool),
    directoryTreeOperation(tool),
    searchFilesOperation(tool),
    getFileInfoOperation(tool),
    createDirectoryOperation(tool),
    moveFileOperation(tool),
    deleteFileOperation(tool),
  ];

  return {
    name: TOOL,
    // FS_READ_ONLY removes the writing operations entirely, so neither dialect lists them.
    operations: config.readOnly ? all.filter((op) => op.annotations.readOnlyHint) : all,
    withheld: config.readOnly
      ? { operations: all.filter((op) => !op.annotations.readOnlyHint), reason: "this server's workspace is read-only (FS_READ_ONLY=true)" }
      : undefined,
    resources: [workspaceResources(tool)],
    ready: async () => {
      try {
        await fs.access(ws.root, config.readOnly ? C.R_OK : C.R_OK | C.W_OK);
      } catch {
        // No path in the message: readiness output may be shown to callers.
        throw new Error(config.readOnly ? 'the workspace folder is not readable' : 'the workspace folder is not readable and writable');
      }
    },
  };
}

/** file_system tool: a workspace folder (WORKSPACE_DIR) and nothing outside it. */
export const createFileSystemTool: ToolFactory = (env) => buildFileSystemTool(env);

import type { ToolFactory } from '../core/toolModule.js';
import { createDatabaseTool } from './database/index.js';
import { createFileSystemTool } from './fileSystem/index.js';
import { createProcessTool } from './process/index.js';
import { createSessionTool } from './session/index.js';
import { createWebSearchTool } from './webSearch/index.js';

/** Every tool the server offers, in the order `tools/list` shows them (discovery is added by the app). */
// process has no operations unless PROCESS_ENABLED=true.
export const TOOL_FACTORIES: ToolFactory[] = [
  createFileSystemTool,
  createDatabaseTool,
  createWebSearchTool,
  createSessionTool,
  createProcessTool,
];

import type { ToolFactory } from '../../core/toolModule.js';

/** file_system tool — placeholder until its issue lands. */
export const createFileSystemTool: ToolFactory = () => ({ name: 'file_system', operations: [] });

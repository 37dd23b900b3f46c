import type { ToolFactory } from '../../core/toolModule.js';

/** database tool — placeholder until its issue lands. */
export const createDatabaseTool: ToolFactory = () => ({ name: 'database', operations: [] });

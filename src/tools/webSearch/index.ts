import type { ToolFactory } from '../../core/toolModule.js';

/** web_search tool — placeholder until its issue lands. */
export const createWebSearchTool: ToolFactory = () => ({ name: 'web_search', operations: [] });

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'winston';

/** The file a fresh workspace starts with; the README's first examples and the Postman collection read it. */
export const WELCOME_FILE = 'welcome.md';

export const WELCOME_TEXT = `# Welcome to mcp-tool-server

This folder is the server's workspace: the file_system tool reads and writes here, the local search
indexes it, and nothing outside it is reachable. The server created the folder on its first start
and put this one file in it, so the examples have something to find. Edit or delete it freely.

Things to try (README.md shows each call in both dialects):

- read this file: file_system.read_file with {"path": "welcome.md"}
- search the workspace: web_search.search with {"query": "welcome"}
- write a note: file_system.write_file with {"path": "notes/todo.md", "content": "# Todo\\n", "create_parents": true}
- ask what else there is: discovery.list_tools
`;

/**
 * Puts the welcome file into a workspace the server has just created. Only ever called for a folder
 * that did not exist, and `wx` never replaces a file, so nobody's files are touched. A failure is
 * logged, not fatal: the folder itself works.
 */
export async function writeWelcomeFile(root: string, logger: Logger): Promise<void> {
  try {
    await fs.writeFile(path.join(root, WELCOME_FILE), WELCOME_TEXT, { flag: 'wx', mode: 0o644 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') logger.warn('could not write the welcome file into the new workspace', { code });
  }
}

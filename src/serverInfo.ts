import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const SERVER_INFO = { name: 'mcp-tool-server', title: 'MCP Tool Server', version: pkg.version };

export const SERVER_INSTRUCTIONS =
  'Tools for a workspace folder (file_system operations such as read_file, write_file, search_files), ' +
  'a SQL database (list_tables, describe_table, query, insert, update, delete) and search (search, fetch). ' +
  'Call list_tools or get_tool_documentation to see what this credential may use. Paths are relative to the workspace root; ' +
  'workspace files are also MCP resources, file:///<path> (e.g. file:///notes/todo.md).';

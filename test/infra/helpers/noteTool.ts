import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { READ_ONLY, type ToolOperation } from '../../../src/core/operation.js';
import type { ToolFactory } from '../../../src/core/toolModule.js';

/**
 * A fixture tool for the replica tests: notes kept as files in the (shared) workspace, with a
 * cached read and a write that invalidates it, like any real tool's read/write pair.
 */
export const createNoteTool: ToolFactory = ({ config }) => {
  const dir = path.join(config.server.workspaceDir, 'notes');
  const file = (name: string) => path.join(dir, `${name}.txt`);
  const nameSchema = { type: 'string', pattern: '^[a-z0-9-]{1,40}$' };
  const ops: ToolOperation[] = [
    {
      tool: 'note',
      operation: 'read',
      mcpName: 'note_read',
      title: 'Read note',
      description: 'Reads a note.',
      inputSchema: { type: 'object', required: ['name'], properties: { name: nameSchema }, additionalProperties: false },
      outputSchema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
      annotations: READ_ONLY,
      scope: 'read',
      cache: { ttlMs: 600_000, tags: ({ name }: { name: string }) => [`note:${name}`] },
      handler: async ({ name }: { name: string }) => ({ text: await readFile(file(name), 'utf8').catch(() => '') }),
    },
    {
      tool: 'note',
      operation: 'write',
      mcpName: 'note_write',
      title: 'Write note',
      description: 'Writes a note.',
      inputSchema: {
        type: 'object',
        required: ['name', 'text'],
        properties: { name: nameSchema, text: { type: 'string' } },
        additionalProperties: false,
      },
      outputSchema: { type: 'object', required: ['written'], properties: { written: { type: 'boolean' } } },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      scope: 'write',
      invalidates: ({ name }: { name: string }) => [`note:${name}`],
      handler: async ({ name, text }: { name: string; text: string }) => {
        await mkdir(dir, { recursive: true });
        const temp = `${file(name)}.${process.pid}.${Date.now()}.tmp`;
        await writeFile(temp, text);
        await rename(temp, file(name));
        return { written: true };
      },
    },
  ];
  return { name: 'note', operations: ops };
};

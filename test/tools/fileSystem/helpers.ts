import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Env } from '../../../src/config/index.js';
import { ToolError } from '../../../src/core/errors.js';
import type { WorkspaceChange } from '../../../src/infra/workspaceEvents.js';
import { buildFileSystemTool, type FileSystemToolOptions } from '../../../src/tools/fileSystem/index.js';
import { createToolHarness, type CallOptions, type ToolHarness } from '../../helpers/toolHarness.js';

export interface FsHarness {
  h: ToolHarness;
  /** The workspace root on disk. */
  ws: string;
  /** A folder next to the workspace that nothing may reach. */
  outside: string;
  /** Workspace events seen so far. */
  events: WorkspaceChange[];
  /** Calls an operation and checks the result against its declared outputSchema. */
  call: <T = any>(name: string, params: unknown, options?: CallOptions) => Promise<T>;
  /** Calls an operation that must fail; checks the error never shows a server path. */
  fail: (name: string, params: unknown, options?: CallOptions) => Promise<ToolError>;
  close: () => Promise<void>;
}

export async function fsHarness(env: Env = {}, options: FileSystemToolOptions = {}): Promise<FsHarness> {
  const h = await createToolHarness((toolEnv) => buildFileSystemTool(toolEnv, options), env);
  const ws = h.workspaceDir;
  const outside = path.join(path.dirname(ws), 'outside');
  mkdirSync(outside, { recursive: true });
  const events: WorkspaceChange[] = [];
  h.events.on((change) => {
    events.push(change);
  });

  const call = async (name: string, params: unknown, callOptions?: CallOptions) => {
    const result = await h.call(name, params, callOptions);
    const entry = h.registry.byMcpName(name)!;
    const valid = entry.validateOutput(result);
    expect(valid, `${name} result must match its outputSchema: ${JSON.stringify(entry.validateOutput.errors)}`).toBe(true);
    return result as any;
  };

  const fail = async (name: string, params: unknown, callOptions?: CallOptions) => {
    let caught: unknown;
    try {
      await h.call(name, params, callOptions);
    } catch (error) {
      caught = error;
    }
    expect(caught, `${name} ${JSON.stringify(params)} should have failed`).toBeInstanceOf(ToolError);
    const error = caught as ToolError;
    // Security: no failure may reveal where the workspace lives on the server.
    const shown = `${error.message} ${JSON.stringify(error.details ?? {})}`;
    expect(shown).not.toContain(ws);
    expect(shown).not.toContain(path.dirname(ws));
    expect(shown).not.toContain('/proc/self');
    return error;
  };

  return { h, ws, outside, events, call, fail, close: () => h.close() };
}

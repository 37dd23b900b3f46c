import { expect } from 'vitest';
import type { Env } from '../../../src/config/index.js';
import { ToolError, type ToolErrorCode } from '../../../src/core/errors.js';
import { createDatabaseTool } from '../../../src/tools/database/index.js';
import { createToolHarness, type CallOptions, type ToolHarness } from '../../helpers/toolHarness.js';

export interface DbHarness {
  h: ToolHarness;
  /** Calls an operation and checks the result against its declared outputSchema. */
  call: (name: string, params: unknown, options?: CallOptions) => Promise<any>;
  /** Expects the call to fail with this code (and message pattern); returns the error. */
  fails: (name: string, params: unknown, code: ToolErrorCode, message?: RegExp) => Promise<ToolError>;
  close: () => Promise<void>;
}

export async function dbHarness(env: Env): Promise<DbHarness> {
  const h = await createToolHarness(createDatabaseTool, env);
  const call = async (name: string, params: unknown, options?: CallOptions) => {
    const result = await h.call(name, params, options);
    const entry = h.registry.byMcpName(name)!;
    expect(entry.validateOutput(result), JSON.stringify(entry.validateOutput.errors)).toBe(true);
    return result as any;
  };
  const fails = async (name: string, params: unknown, code: ToolErrorCode, message?: RegExp) => {
    const error = await h.call(name, params).then(
      (result) => new Error(`expected ${code}, got a result: ${JSON.stringify(result).slice(0, 300)}`),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ToolError);
    const toolError = error as ToolError;
    expect({ code: toolError.code, message: toolError.message }).toMatchObject({
      code,
      ...(message ? { message: expect.stringMatching(message) } : {}),
    });
    return toolError;
  };
  return { h, call, fails, close: () => h.close() };
}

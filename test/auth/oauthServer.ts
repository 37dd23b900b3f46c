import type { Env } from '../../src/config/index.js';
import type { ToolFactory } from '../../src/core/toolModule.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { createTestTool } from '../helpers/testTools.js';

/**
 * Starts the real app with PUBLIC_URL equal to the address it listens on, so the OAuth metadata
 * names the URL clients really use.
 */
export function startOAuthServer(env: Env, toolFactories: ToolFactory[] = [createTestTool]): Promise<TestServer> {
  return startServer({ env, toolFactories, publicUrl: true });
}

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/app.js';
import { loadConfig, type Env } from '../../src/config/index.js';
import type { ToolFactory } from '../../src/core/toolModule.js';
import { createSilentLogger } from '../../src/infra/logger.js';
import { prepareAuth } from '../../src/startup.js';
import { TEST_KEYS, type TestServer } from '../helpers/server.js';
import { createTestTool } from '../helpers/testTools.js';

/**
 * Starts the real app with PUBLIC_URL equal to the address it listens on, so the OAuth
 * metadata names the URL clients really use (the shared helper picks its port after config).
 */
export async function startOAuthServer(env: Env, toolFactories: ToolFactory[] = [createTestTool]): Promise<TestServer> {
  const http = createServer();
  http.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => http.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-oauth-test-'));
  const fullEnv: Env = {
    MCP_API_KEYS: TEST_KEYS,
    DATA_DIR: path.join(root, 'data'),
    WORKSPACE_DIR: path.join(root, 'workspace'),
    PUBLIC_URL: url,
    // Rate limits are tested elsewhere; replays here send many requests from one address.
    RATE_LIMIT_MAX: '0',
    ...env,
  };
  mkdirSync(fullEnv.DATA_DIR!, { recursive: true });
  mkdirSync(fullEnv.WORKSPACE_DIR!, { recursive: true });
  const config = loadConfig(fullEnv, root);
  prepareAuth(config);
  const built = await createApp({ config, logger: createSilentLogger(), toolFactories });
  http.on('request', built.app);
  return {
    url,
    mcpUrl: `${url}/mcp`,
    config,
    built,
    http,
    workspaceDir: config.server.workspaceDir,
    dataDir: config.server.dataDir,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await built.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

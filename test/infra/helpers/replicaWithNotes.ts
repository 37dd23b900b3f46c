/**
 * Entry point for a replica process that serves every real tool plus the `note` fixture tool
 * (a cached read with an invalidating write). Same wiring as src/index.ts otherwise.
 */
import type { AddressInfo } from 'node:net';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { createLogger } from '../../../src/infra/logger.js';
import { prepareAuth } from '../../../src/startup.js';
import { TOOL_FACTORIES } from '../../../src/tools/index.js';
import { createNoteTool } from './noteTool.js';

const config = loadConfig();
prepareAuth(config);
const logger = createLogger(config.log);
const built = await createApp({ config, logger, toolFactories: [...TOOL_FACTORIES, createNoteTool] });
const server = built.app.listen(config.server.port, config.server.host);
await new Promise<void>((resolve) => server.once('listening', resolve));
logger.info('listening', { port: (server.address() as AddressInfo).port });
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void built.close().finally(() => process.exit(0));
});

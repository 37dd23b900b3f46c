import dotenv from 'dotenv';
import type { Server } from 'node:http';
import { createApp } from './app.js';
import { createHttpServer, listen } from './http/listen.js';
import { drain } from './http/drain.js';
import { startupBanner } from './banner.js';
import { ConfigError, loadConfig } from './config/index.js';
import { createLogger } from './infra/logger.js';
import { prepareAuth } from './startup.js';

dotenv.config({ quiet: true });

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  let auth: ReturnType<typeof prepareAuth>;
  try {
    config = loadConfig();
    auth = prepareAuth(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.log);
  const built = await createApp({ config, logger });

  const server: Server = createHttpServer(built.app, config.server);
  await listen(server, config.server.port, config.server.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = config.server.publicUrl?.origin ?? `http://${host}:${port}`;
  console.log(startupBanner(config, url, built.modules, auth, config.ops));
  // The pid lets a supervisor (or a test) check that its signals reach this process, not a wrapper.
  logger.info('listening', { url: `${url}/mcp`, port, pid: process.pid });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Stop accepting; in-flight requests finish (up to the deadline), then tools, Redis and the cache close.
    await drain(server, { deadlineMs: config.ops.shutdownTimeoutMs, logger, onStopped: () => logger.info('shutting down', { signal }) });
    await built.close().catch((error: unknown) => logger.error('closing resources failed', { error: String(error) }));
    logger.info('stopped');
    logger.on('finish', () => process.exit(0));
    logger.end();
    setTimeout(() => process.exit(0), 500).unref();
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('Failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});

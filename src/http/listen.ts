import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import type { ServerConfig } from '../config/server.js';

/**
 * Creates the HTTP server with the socket time limits that keep slow clients from holding
 * connections: slow headers, slow bodies (slowloris) and idle keep-alive sockets are cut off.
 */
export function createHttpServer(app: Express, config: ServerConfig): Server {
  // Node checks these limits on an interval (30 s by default); check often enough to honour them.
  const interval = Math.max(100, Math.min(1000, Math.floor(Math.min(config.headersTimeoutMs, config.requestTimeoutMs) / 2)));
  const server = createServer({ connectionsCheckingInterval: interval }, app);
  server.headersTimeout = Math.min(config.headersTimeoutMs, config.requestTimeoutMs);
  server.requestTimeout = config.requestTimeoutMs;
  server.keepAliveTimeout = 5_000;
  return server;
}

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

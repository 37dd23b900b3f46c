import type { Server } from 'node:http';
import type { Logger } from 'winston';

/**
 * Stops accepting connections and waits for in-flight requests, up to `deadlineMs`; past it the
 * remaining connections are cut. Resolves once no connection is left. `onStopped` runs as soon as
 * the listener is closed (new connections are refused from then on).
 */
export function drain(server: Server, options: { deadlineMs: number; logger: Logger; onStopped?: () => void }): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  options.onStopped?.();
  // A keep-alive socket whose response finishes during the drain would otherwise sit idle until
  // keepAliveTimeout and hold the exit; close sockets as they go idle.
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  const deadline = setTimeout(() => {
    options.logger.warn('shutdown deadline passed; closing remaining connections');
    server.closeAllConnections();
  }, options.deadlineMs);
  return closed.finally(() => {
    clearInterval(sweep);
    clearTimeout(deadline);
  });
}

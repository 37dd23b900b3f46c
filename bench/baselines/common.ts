import type { Server } from 'node:http';

/** The fixed tools/call result every hand-written baseline answers with. */
export function fixedResult(id: unknown) {
  return {
    jsonrpc: '2.0',
    id: id ?? null,
    result: { content: [{ type: 'text', text: '{"ok":true}' }], structuredContent: { ok: true } },
  };
}

/**
 * Listens on an ephemeral loopback port and prints the same "listening on" line our server's
 * banner prints, which is how the bench learns the port.
 */
export function announce(server: Server, name: string): void {
  server.keepAliveTimeout = 5_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    console.log(`${name} listening on http://127.0.0.1:${port}/mcp`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

import {
  PerRequestHTTPServerTransport,
  type JSONRPCMessage,
  type Transport,
  type TransportSendOptions,
} from '@modelcontextprotocol/server';
import { RoutingTransport } from './routingTransport.js';

/**
 * The transport of the process-wide 2026-07-28 Server. The SDK binds a Server to a modern
 * revision when it connects to a PerRequestHTTPServerTransport whose classification names that
 * revision (and the Server's supportedProtocolVersions lists it): "Connecting a Server binds the
 * instance to the classified modern revision" is that class's documented contract, and it is the
 * only exported way to mark an instance modern. The binding lasts as long as the connection, so
 * this subclass keeps the classification and the binding and replaces the single exchange by the
 * same RoutingTransport the 2025-era Server uses (ids remapped per request, replies routed back to
 * their own HTTP response). See docs/architecture.md.
 */
export class ModernRoutingTransport extends PerRequestHTTPServerTransport {
  readonly routes: RoutingTransport;

  constructor(readonly revision: string) {
    const classification = { era: 'modern' as const, revision };
    super({ classification });
    // Every request is handed over with the same classification, so the Server's own era gate
    // checks each one against the revision it is bound to.
    this.routes = new RoutingTransport({ classification });
    this.routes.onmessage = ((message: JSONRPCMessage, extra) => this.onmessage?.(message, extra)) as Transport['onmessage'];
  }

  override async start(): Promise<void> {}

  override handleMessage(): Promise<Response> {
    return Promise.reject(new Error('ModernRoutingTransport serves through routes.request()'));
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.routes.send(message, options);
  }

  override async close(): Promise<void> {
    await this.routes.close();
    this.onclose?.();
  }
}

import { webcrypto } from 'node:crypto';
import { createRequestStateCodec, type Server, type ServerContext } from '@modelcontextprotocol/server';
import { installFixtureCatalog } from './fixtureCatalog.js';
import { FIXTURE_TOOLS, type FixtureResult } from './fixtureTools.js';

/**
 * The conformance fixtures (MCP_CONFORMANCE_FIXTURES=true): the tools, resources, prompts and
 * completion the official `@modelcontextprotocol/conformance` server scenarios call, registered
 * next to the real tools. Off by default; config refuses it on a non-loopback HOST.
 */
export interface ConformanceFixtures {
  /** tools/list entries appended after the registry's tools. */
  tools: Array<{ name: string; description: string; inputSchema: Record<string, unknown> }>;
  /** Undefined when `name` is not a fixture tool. */
  call: (name: string, args: Record<string, unknown>, ctx: ServerContext) => Promise<FixtureResult> | undefined;
  /** Capabilities the fixtures add to the server's. */
  capabilities: Record<string, unknown>;
  /** Server option: rejects forged or expired multi-round-trip requestState before a handler runs. */
  verifyRequestState: (state: string, ctx: ServerContext) => Promise<unknown>;
  install: (server: Server) => void;
  /** Where list_changed events go (the MCP handler's subscriptions/listen bus). */
  onListChanged: (publish: (kind: 'tools' | 'prompts') => void) => void;
}

export function createConformanceFixtures(): ConformanceFixtures {
  // Security: requestState comes back from the client; it is HMAC-sealed with a per-process key.
  const requestState = createRequestStateCodec<Record<string, unknown>>({ key: webcrypto.getRandomValues(new Uint8Array(32)) });
  const byName = new Map(FIXTURE_TOOLS.map((tool) => [tool.name, tool]));
  let publish: (kind: 'tools' | 'prompts') => void = () => undefined;
  return {
    tools: FIXTURE_TOOLS.map(({ name, description, inputSchema }) => ({ name, description, inputSchema })),
    call: (name, args, ctx) => byName.get(name)?.call(args, { ctx, requestState, listChanged: (kind) => publish(kind) }),
    capabilities: {
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      completions: {},
    },
    verifyRequestState: (state, ctx) => requestState.verify(state, ctx),
    install: installFixtureCatalog,
    onListChanged: (fn) => {
      publish = fn;
    },
  };
}

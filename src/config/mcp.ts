import { ConfigError, readBool, readEnum, readString, readUrl, type Env } from './env.js';
import { isLoopbackHost } from './server.js';

/** How the MCP dialect is served. */
export interface McpConfig {
  /** `engine`: one SDK Server per process behind our routing transport; `sdk`: the SDK's per-request handler. */
  engine: 'engine' | 'sdk';
  /** Registers the official conformance suite's fixture tools, resources and prompts (testing only). */
  conformanceFixtures: boolean;
}

export function parseMcpConfig(env: Env): McpConfig {
  const conformanceFixtures = readBool(env, 'MCP_CONFORMANCE_FIXTURES', false);
  if (conformanceFixtures) {
    // Security: the fixtures are test doubles (sampling, elicitation, fake resources) with no
    // purpose in production; refusing them off loopback keeps a stray test setting from shipping.
    const host = readString(env, 'HOST', '127.0.0.1');
    const publicUrl = readUrl(env, 'PUBLIC_URL', ['http', 'https']);
    if (!isLoopbackHost(host) || (publicUrl && !isLoopbackHost(publicUrl.hostname.replace(/^\[|\]$/g, ''))))
      throw new ConfigError(
        'MCP_CONFORMANCE_FIXTURES',
        `false (or unset) unless the server is bound to loopback without a public URL: the conformance fixtures are for local test runs only (HOST=${host})`,
      );
  }
  return { engine: readEnum(env, 'MCP_ENGINE', ['engine', 'sdk'] as const, 'engine'), conformanceFixtures };
}

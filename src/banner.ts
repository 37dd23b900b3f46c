import type { Config } from './config/index.js';
import type { OpsConfig } from './config/ops.js';
import type { ToolModule } from './core/toolModule.js';
import type { PreparedAuth } from './startup.js';

/** One screen that says what is running and how to connect. */
export function startupBanner(config: Config, url: string, modules: ToolModule[], auth: PreparedAuth, ops?: OpsConfig): string {
  const endpoint = `${url}/mcp`;
  const lines = [
    '',
    `mcp-tool-server listening on ${endpoint}`,
    `  auth:       ${config.auth.mode}${auth.usingGeneratedKey ? ' (generated key in DATA_DIR/api-key)' : ''}`,
    ...(config.oauth.builtin
      ? [`  oauth:      built-in authorization server ${config.oauth.issuer} (clients are approved with an API key)`]
      : config.oauth.enabled
        ? [`  oauth:      tokens from ${config.oauth.issuer}`]
        : []),
    `  database:   ${config.database.url ? config.database.url.replace(/\/\/[^@/]*@/, '//***@') : 'sqlite (DATA_DIR)'}`,
    `  search:     ${config.search.provider}`,
    `  shared state: ${config.scale.redisUrl ? `redis ${config.scale.redisUrl.host}` : 'in-process'}`,
    `  workspace:  ${config.server.workspaceDir}`,
    `  tools:      ${modules
      .filter((m) => m.operations.length > 0)
      .map((m) => `${m.name} (${m.operations.length})`)
      .join(', ')}`,
    ...(config.process.enabled
      ? [
          `  process:    ${config.process.sandbox === 'none' ? 'NOT SANDBOXED (PROCESS_SANDBOX=none)' : 'sandboxed (bubblewrap)'}, allowed: ${config.process.allow.join(', ') || 'none'}; needs the exec scope`,
        ]
      : []),
    `  probes:     ${url}/healthz, ${url}/readyz, ${url}/metrics (${ops?.metricsToken ? 'needs METRICS_TOKEN' : 'open'})`,
    '  docs: README.md, "Connect a client" and "Operations"',
  ];
  if (auth.generatedKey) {
    const key = auth.generatedKey.key;
    lines.push(
      '',
      `No MCP_API_KEYS configured: generated an API key and saved it to ${auth.generatedKey.file} (mode 0600).`,
      `  key: ${key}`,
      '  Try it:',
      `  curl -s ${endpoint} -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' \\`,
      `    -H 'Accept: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'`,
      '  MCP client config:',
      `  ${JSON.stringify({ mcpServers: { 'mcp-tool-server': { type: 'http', url: endpoint, headers: { Authorization: `Bearer ${key}` } } } })}`,
    );
  }
  return lines.join('\n');
}

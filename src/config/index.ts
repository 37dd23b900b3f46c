import { parseAuthConfig, type AuthConfig } from './auth.js';
import { parseDatabaseConfig, type DatabaseConfig } from './database.js';
import type { Env } from './env.js';
import { parseMcpConfig, type McpConfig } from './mcp.js';
import { parseFileSystemConfig, type FileSystemConfig } from './fileSystem.js';
import { parseOAuthConfig, type OAuthConfig } from './oauth.js';
import { parseScaleConfig, type ScaleConfig } from './scale.js';
import { parseSearchConfig, type SearchConfig } from './search.js';
import { parseOpsConfig, type OpsConfig } from './ops.js';
import { parseProcessConfig, type ProcessConfig } from './process.js';
import { parseLogConfig, parseServerConfig, type LogConfig, type ServerConfig } from './server.js';

export { ConfigError } from './env.js';
export type { Env } from './env.js';

export interface Config {
  server: ServerConfig;
  log: LogConfig;
  auth: AuthConfig;
  oauth: OAuthConfig;
  scale: ScaleConfig;
  fileSystem: FileSystemConfig;
  database: DatabaseConfig;
  search: SearchConfig;
  process: ProcessConfig;
  ops: OpsConfig;
  mcp: McpConfig;
}

/** Calls of the process tool per caller per RATE_LIMIT_WINDOW_MS when RATE_LIMIT_TOOLS does not say. */
export const DEFAULT_PROCESS_RATE_LIMIT = 10;

/** Reads and checks the whole configuration once; throws ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const scale = parseScaleConfig(env);
  const processConfig = parseProcessConfig(env);
  // The process tool gets a stricter per-tool rate limit by default (process=10 per window), unless
  // RATE_LIMIT_TOOLS names it; RATE_LIMIT_MAX=0 still turns every limit off.
  if (processConfig.enabled && scale.rateLimitMax > 0 && !scale.rateLimitTools.some((l) => l.target.split('.')[0] === 'process')) {
    scale.rateLimitTools.push({ target: 'process', max: Math.min(DEFAULT_PROCESS_RATE_LIMIT, scale.rateLimitMax) });
  }
  return {
    server: parseServerConfig(env, cwd),
    log: parseLogConfig(env, cwd),
    auth: parseAuthConfig(env),
    oauth: parseOAuthConfig(env, cwd),
    scale,
    fileSystem: parseFileSystemConfig(env),
    database: parseDatabaseConfig(env),
    search: parseSearchConfig(env),
    process: processConfig,
    ops: parseOpsConfig(env),
    mcp: parseMcpConfig(env),
  };
}

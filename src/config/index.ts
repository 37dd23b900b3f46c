import { parseAuthConfig, type AuthConfig } from './auth.js';
import { parseDatabaseConfig, type DatabaseConfig } from './database.js';
import type { Env } from './env.js';
import { parseMcpConfig, type McpConfig } from './mcp.js';
import { parseFileSystemConfig, type FileSystemConfig } from './fileSystem.js';
import { parseOAuthConfig, type OAuthConfig } from './oauth.js';
import { parseScaleConfig, type ScaleConfig } from './scale.js';
import { parseSearchConfig, type SearchConfig } from './search.js';
import { parseOpsConfig, type OpsConfig } from './ops.js';
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
  ops: OpsConfig;
  mcp: McpConfig;
}

/** Reads and checks the whole configuration once; throws ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  return {
    server: parseServerConfig(env, cwd),
    log: parseLogConfig(env, cwd),
    auth: parseAuthConfig(env),
    oauth: parseOAuthConfig(env),
    scale: parseScaleConfig(env),
    fileSystem: parseFileSystemConfig(env),
    database: parseDatabaseConfig(env),
    search: parseSearchConfig(env),
    ops: parseOpsConfig(env),
    mcp: parseMcpConfig(env),
  };
}

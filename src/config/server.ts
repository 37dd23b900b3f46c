import path from 'node:path';
import { ConfigError, readEnum, readInt, readList, readOptionalString, readString, readUrl, type Env } from './env.js';

export interface ServerConfig {
  port: number;
  host: string;
  /** External base URL (e.g. https://mcp.example.com); used for OAuth metadata and the banner. */
  publicUrl?: URL;
  dataDir: string;
  workspaceDir: string;
  /** Origins (full `scheme://host[:port]`) a browser may call us from; requests without Origin pass. */
  allowedOrigins: string[];
  /** Host header values we answer to (DNS-rebinding guard); empty = loopback names only when bound to loopback. */
  allowedHosts: string[];
  bodyLimitBytes: number;
  /** JSON replies at least this large are gzip/brotli-compressed when the client accepts it; 0 = never. */
  compressMinBytes: number;
  maxJsonDepth: number;
  callTimeoutMs: number;
  /** A request's headers must arrive within this time (slow-header clients are cut off). */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this time (slowloris bodies are cut off). */
  requestTimeoutMs: number;
  /** Number of proxy hops whose X-Forwarded-For we trust (0 = none). */
  trustProxy: number;
  nodeEnv: string;
}

export interface LogConfig {
  level: 'error' | 'warn' | 'info' | 'http' | 'verbose' | 'debug' | 'silly';
  /** Optional file transports as in the design: `<dir>/error.log` and `<dir>/combined.log`. */
  fileDir?: string;
}

export function parseServerConfig(env: Env, cwd: string): ServerConfig {
  const host = readString(env, 'HOST', '127.0.0.1');
  const origins = readList(env, 'ALLOWED_ORIGINS');
  for (const origin of origins) {
    if (origin === '*') continue;
    try {
      const u = new URL(origin);
      if (u.origin !== origin.replace(/\/$/, '')) throw new Error('not an origin');
    } catch {
      throw new ConfigError('ALLOWED_ORIGINS', 'a comma-separated list of origins like https://chat.example.com (or *)', origin);
    }
  }
  return {
    port: readInt(env, 'PORT', 3000, 0, 65535),
    host,
    publicUrl: readUrl(env, 'PUBLIC_URL', ['http', 'https']),
    dataDir: path.resolve(cwd, readString(env, 'DATA_DIR', './data')),
    workspaceDir: path.resolve(cwd, readString(env, 'WORKSPACE_DIR', './workspace')),
    allowedOrigins: origins.map((o) => o.replace(/\/$/, '')),
    allowedHosts: readList(env, 'ALLOWED_HOSTS').map((h) => h.toLowerCase()),
    bodyLimitBytes: readInt(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024, 512 * 1024 * 1024),
    compressMinBytes: readInt(env, 'COMPRESS_MIN_BYTES', 1024, 0, 1024 * 1024 * 1024),
    maxJsonDepth: readInt(env, 'MAX_JSON_DEPTH', 64, 2, 1000),
    callTimeoutMs: readInt(env, 'CALL_TIMEOUT_MS', 30_000, 10, 3_600_000),
    headersTimeoutMs: readInt(env, 'HEADERS_TIMEOUT_MS', 20_000, 100, 600_000),
    requestTimeoutMs: readInt(env, 'REQUEST_TIMEOUT_MS', 60_000, 100, 3_600_000),
    trustProxy: readInt(env, 'TRUST_PROXY', 0, 0, 10),
    nodeEnv: readString(env, 'NODE_ENV', 'development'),
  };
}

export function parseLogConfig(env: Env, cwd: string): LogConfig {
  const dir = readOptionalString(env, 'LOG_FILE_DIR');
  return {
    level: readEnum(env, 'LOG_LEVEL', ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const, 'info'),
    fileDir: dir ? path.resolve(cwd, dir) : undefined,
  };
}

export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

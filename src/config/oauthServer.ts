import { ConfigError, readEnum, readInt, type Env } from './env.js';

/** Settings of the built-in authorization server (OAUTH_SERVER=builtin). */
export interface BuiltinAuthServerConfig {
  /** The issuer: PUBLIC_URL's origin, no path, no trailing slash. */
  issuer: string;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  /** Dynamic Client Registration: registrations per client address per hour. */
  registrationsPerHour: number;
  /** Dynamic Client Registration: how many registered clients may exist at once. */
  maxClients: number;
  /** A registered client that never completes an authorization is deleted after this long. */
  unusedClientTtlSec: number;
  /** Wrong API keys on the consent page per address, then globally, per 15 minutes. */
  keyFailuresPerAddress: number;
  keyFailuresGlobal: number;
  /** Where clients, grants, tokens and keys live: a SQLite file in DATA_DIR, or Redis (shared by replicas). */
  store: 'sqlite' | 'redis';
}

/**
 * Reads the built-in authorization server's settings. `publicUrl` is already checked (https
 * unless loopback) by the caller; here only what is specific to being an issuer.
 */
export function parseBuiltinAuthServerConfig(env: Env, publicUrl: URL): BuiltinAuthServerConfig {
  // Security: the issuer identifier is compared byte for byte by clients (RFC 8414 §3.3, mix-up
  // defence); one canonical form, and no path, because the metadata lives at the origin's root.
  if (publicUrl.pathname.replace(/\/+$/, '') !== '')
    throw new ConfigError(
      'PUBLIC_URL',
      'a bare origin (https://host[:port], no path) when OAUTH_SERVER=builtin, because the server is then its own issuer',
      publicUrl.href,
    );
  if (env.OAUTH_ISSUER?.trim())
    throw new ConfigError('OAUTH_ISSUER', 'unset when OAUTH_SERVER=builtin (the issuer is PUBLIC_URL)', env.OAUTH_ISSUER);
  const accessTokenTtlSec = readInt(env, 'OAUTH_ACCESS_TOKEN_TTL_S', 900, 60, 86_400);
  const refreshTokenTtlSec = readInt(env, 'OAUTH_REFRESH_TOKEN_TTL_S', 1_209_600, 300, 31_536_000);
  if (refreshTokenTtlSec <= accessTokenTtlSec)
    throw new ConfigError(
      'OAUTH_REFRESH_TOKEN_TTL_S',
      `longer than OAUTH_ACCESS_TOKEN_TTL_S (${accessTokenTtlSec})`,
      String(refreshTokenTtlSec),
    );
  const storeSetting = readEnum(env, 'OAUTH_STORE', ['auto', 'sqlite', 'redis'] as const, 'auto');
  const hasRedis = Boolean(env.REDIS_URL?.trim());
  if (storeSetting === 'redis' && !hasRedis) throw new ConfigError('OAUTH_STORE', 'sqlite or auto when REDIS_URL is not set', storeSetting);
  return {
    store: storeSetting === 'auto' ? (hasRedis ? 'redis' : 'sqlite') : storeSetting,
    issuer: publicUrl.origin,
    accessTokenTtlSec,
    refreshTokenTtlSec,
    registrationsPerHour: readInt(env, 'OAUTH_REGISTRATIONS_PER_HOUR', 20, 1, 100_000),
    maxClients: readInt(env, 'OAUTH_MAX_CLIENTS', 1000, 1, 1_000_000),
    unusedClientTtlSec: readInt(env, 'OAUTH_UNUSED_CLIENT_TTL_S', 86_400, 60, 31_536_000),
    keyFailuresPerAddress: readInt(env, 'OAUTH_CONSENT_KEY_FAILURES_PER_IP', 10, 1, 10_000),
    keyFailuresGlobal: readInt(env, 'OAUTH_CONSENT_KEY_FAILURES_GLOBAL', 100, 1, 1_000_000),
  };
}

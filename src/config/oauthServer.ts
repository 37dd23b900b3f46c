import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readAllowedTargets } from './allowedTargets.js';
import { ConfigError, readEnum, readInt, readOptionalString, readUrl, type Env } from './env.js';
import { isLoopbackHost } from './server.js';

/**
 * Security: a redirect URI is https, or plain http to a loopback address (a native app on this
 * machine, RFC 8252 §7.3). Custom schemes, javascript:, data: and plain http elsewhere are refused
 * at registration, so an authorization code never travels in clear or to an app that merely
 * claimed a scheme.
 */
export function redirectUriAllowed(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && isLoopbackHost(url.hostname.replace(/^\[|\]$/g, ''));
}

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
  store: 'sqlite' | 'redis' | 'postgres';
  /** OAUTH_DATABASE_URL, for store = postgres. */
  databaseUrl?: string;
  /** Pre-registered clients (OAUTH_CLIENTS_FILE): RFC 7591 metadata objects with their client_id. */
  clients: PreregisteredClient[];
  /**
   * `host:port` targets a Client ID Metadata Document may be fetched from although they resolve
   * to non-public addresses (OAUTH_METADATA_ALLOWED_HOSTS; a bare host means port 443).
   */
  metadataAllowedTargets: string[];
}

export interface PreregisteredClient {
  client_id: string;
  redirect_uris: string[];
  [metadata: string]: unknown;
}

/** A JSON array of client metadata; oidc-provider checks each fully when the server starts. */
function readClientsFile(env: Env, cwd: string): PreregisteredClient[] {
  const file = readOptionalString(env, 'OAUTH_CLIENTS_FILE');
  if (!file) return [];
  const expected = 'a JSON file with an array of client metadata objects, each with client_id and redirect_uris';
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path.resolve(cwd, file), 'utf8'));
  } catch (error) {
    throw new ConfigError('OAUTH_CLIENTS_FILE', `${expected} (${(error as Error).message})`, file);
  }
  if (!Array.isArray(parsed)) throw new ConfigError('OAUTH_CLIENTS_FILE', expected, file);
  const ids = new Set<string>();
  for (const client of parsed) {
    const ok =
      typeof client === 'object' &&
      client !== null &&
      typeof client.client_id === 'string' &&
      client.client_id !== '' &&
      Array.isArray(client.redirect_uris) &&
      client.redirect_uris.every((u: unknown) => typeof u === 'string');
    if (!ok) throw new ConfigError('OAUTH_CLIENTS_FILE', expected, JSON.stringify(client).slice(0, 80));
    const refused = (client.redirect_uris as string[]).find((uri) => !redirectUriAllowed(uri));
    if (refused !== undefined)
      throw new ConfigError('OAUTH_CLIENTS_FILE', `${expected}; redirect_uris must be https, or http on a loopback address`, refused);
    if (ids.has(client.client_id))
      throw new ConfigError('OAUTH_CLIENTS_FILE', `${expected}; client_id values must be unique`, client.client_id);
    ids.add(client.client_id);
  }
  return parsed as PreregisteredClient[];
}

/**
 * Reads the built-in authorization server's settings. `publicUrl` is already checked (https
 * unless loopback) by the caller; here only what is specific to being an issuer.
 */
export function parseBuiltinAuthServerConfig(env: Env, publicUrl: URL, cwd: string = process.cwd()): BuiltinAuthServerConfig {
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
  const storeSetting = readEnum(env, 'OAUTH_STORE', ['auto', 'sqlite', 'redis', 'postgres'] as const, 'auto');
  const hasRedis = Boolean(env.REDIS_URL?.trim());
  if (storeSetting === 'redis' && !hasRedis)
    throw new ConfigError('OAUTH_STORE', 'sqlite, postgres or auto when REDIS_URL is not set', storeSetting);
  const databaseUrl = readUrl(env, 'OAUTH_DATABASE_URL', ['postgres', 'postgresql']);
  if (storeSetting === 'postgres' && !databaseUrl)
    throw new ConfigError('OAUTH_DATABASE_URL', 'a postgres:// URL when OAUTH_STORE=postgres');
  // Security: the database tool answers SQL over DATABASE_URL; tokens and client secrets kept there
  // would be one SELECT away from any caller with the read scope.
  if (databaseUrl && env.DATABASE_URL?.trim() && new URL(env.DATABASE_URL.trim()).href === databaseUrl.href)
    throw new ConfigError(
      'OAUTH_DATABASE_URL',
      'a database other than DATABASE_URL (the database tool must not reach the tokens)',
      databaseUrl.href.replace(/\/\/[^@/]*@/, '//***@'),
    );
  return {
    clients: readClientsFile(env, cwd),
    // Security: a client_id URL is chosen by whoever opens an authorize link, so by default its
    // document is fetched only from public addresses; an operator whose own clients publish their
    // documents on an internal host names exactly that host and port, nothing else opens.
    metadataAllowedTargets: readAllowedTargets(env, 'OAUTH_METADATA_ALLOWED_HOSTS', [443]),
    store: storeSetting === 'auto' ? (hasRedis ? 'redis' : 'sqlite') : storeSetting,
    databaseUrl: databaseUrl?.href,
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

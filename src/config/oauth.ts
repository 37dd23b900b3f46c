import { parseAuthConfig } from './auth.js';
import { isLoopbackHost } from './server.js';
import { parseBuiltinAuthServerConfig, type BuiltinAuthServerConfig } from './oauthServer.js';
import { ConfigError, readEnum, readInt, readList, readOptionalString, readString, readUrl, type Env } from './env.js';

/** How an MCP `tools/call` that needs a scope the OAuth token lacks is answered. */
export type McpInsufficientScope = 'tool_result' | 'http_403';

export interface IntrospectionConfig {
  /** RFC 7662 endpoint, used for tokens that are not JWTs (opaque tokens). */
  url: string;
  clientId: string;
  clientSecret: string;
  /** How long an `active: true` answer is reused (bounded by the token's own exp). */
  cacheMs: number;
}

export interface OAuthConfig {
  /** AUTH_MODE is oauth or both. When false, every other field is a harmless default. */
  enabled: boolean;
  /** OAUTH_ISSUER exactly as configured: it is compared byte for byte with `iss`. */
  issuer: string;
  /** The canonical resource URI (RFC 8707): PUBLIC_URL + `/mcp`, no trailing slash. */
  resource: string;
  /** RFC 9728 metadata URL for the resource (path-inserted form), sent in every challenge. */
  resourceMetadataUrl: string;
  /** `aud` values accepted: OAUTH_AUDIENCE when set, else the canonical resource. */
  audiences: string[];
  /** Token scope names that grant this server's read and write permissions. */
  scopeRead: string;
  scopeWrite: string;
  /** Token scope name that grants `exec` (the process tool); never implied by the other two. */
  scopeExec: string;
  /** Overrides the jwks_uri discovered from the issuer's metadata. */
  jwksUrl?: string;
  jwksCacheMs: number;
  clockToleranceSec: number;
  introspection?: IntrospectionConfig;
  mcpInsufficientScope: McpInsufficientScope;
  /** OAUTH_SERVER=builtin: this server is its own authorization server (issuer = PUBLIC_URL). */
  builtin?: BuiltinAuthServerConfig;
}

const SCOPE_NAME = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/; // RFC 6749 scope-token characters

function readScopeName(env: Env, name: string, fallback: string): string {
  const value = readString(env, name, fallback);
  if (!SCOPE_NAME.test(value))
    throw new ConfigError(name, 'one OAuth scope name (printable characters, no spaces, quotes or backslashes)', value);
  return value;
}

/**
 * Security: tokens and metadata travel in clear over plain http; only a loopback address
 * (a developer machine, a test) may use it.
 */
function requireHttpsUnlessLoopback(name: string, url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol !== 'https:' && !isLoopbackHost(host)) {
    throw new ConfigError(name, 'an https:// URL (plain http is allowed only for loopback addresses)', url.href);
  }
}

/** Canonical resource for a public base URL: scheme and host lower-cased, no trailing slash, `/mcp` appended. */
export function canonicalResource(publicUrl: URL): string {
  return `${publicUrl.origin}${publicUrl.pathname.replace(/\/+$/, '')}/mcp`;
}

/** RFC 9728 §3.1: the well-known segment goes between the host and the resource's path. */
export function resourceMetadataUrlFor(resource: string): string {
  const url = new URL(resource);
  return `${url.origin}/.well-known/oauth-protected-resource${url.pathname}`;
}

export function parseOAuthConfig(env: Env, cwd: string = process.cwd()): OAuthConfig {
  const { mode } = parseAuthConfig(env);
  const enabled = mode === 'oauth' || mode === 'both';
  const publicUrl = readUrl(env, 'PUBLIC_URL', ['http', 'https']);
  const issuerUrl = readUrl(env, 'OAUTH_ISSUER', ['http', 'https']);
  const jwksUrl = readUrl(env, 'OAUTH_JWKS_URL', ['http', 'https']);
  const introspectionUrl = readUrl(env, 'OAUTH_INTROSPECTION_URL', ['http', 'https']);
  const server = readEnum(env, 'OAUTH_SERVER', ['external', 'builtin'] as const, 'external');
  if (server === 'builtin' && !enabled) throw new ConfigError('AUTH_MODE', 'oauth or both when OAUTH_SERVER=builtin', mode);

  let builtin: BuiltinAuthServerConfig | undefined;
  if (enabled) {
    const why = `required when AUTH_MODE=${mode}`;
    if (!publicUrl) throw new ConfigError('PUBLIC_URL', `the server's external base URL (e.g. https://mcp.example.com), ${why}`);
    requireHttpsUnlessLoopback('PUBLIC_URL', publicUrl);
    if (server === 'builtin') builtin = parseBuiltinAuthServerConfig(env, publicUrl, cwd);
    if (!issuerUrl && !builtin)
      throw new ConfigError('OAUTH_ISSUER', `the authorization server's issuer URL (e.g. https://auth.example.com), ${why}`);
    if (issuerUrl) requireHttpsUnlessLoopback('OAUTH_ISSUER', issuerUrl);
    if (jwksUrl) requireHttpsUnlessLoopback('OAUTH_JWKS_URL', jwksUrl);
    if (introspectionUrl) requireHttpsUnlessLoopback('OAUTH_INTROSPECTION_URL', introspectionUrl);
    // A resource identifier must not carry a query or fragment (RFC 8707 §2).
    if (publicUrl.search || publicUrl.hash) throw new ConfigError('PUBLIC_URL', 'a base URL without ?query or #fragment', publicUrl.href);
  }

  const resource = publicUrl ? canonicalResource(publicUrl) : 'http://127.0.0.1/mcp';
  const audiences = readList(env, 'OAUTH_AUDIENCE');
  const scopeRead = readScopeName(env, 'OAUTH_SCOPE_READ', 'mcp:read');
  const scopeWrite = readScopeName(env, 'OAUTH_SCOPE_WRITE', 'mcp:write');
  if (scopeRead === scopeWrite) throw new ConfigError('OAUTH_SCOPE_WRITE', 'a scope name different from OAUTH_SCOPE_READ', scopeWrite);
  const scopeExec = readScopeName(env, 'OAUTH_SCOPE_EXEC', 'mcp:exec');
  // Security: a token granted read or write must never count as granting exec.
  if (scopeExec === scopeRead || scopeExec === scopeWrite)
    throw new ConfigError('OAUTH_SCOPE_EXEC', 'a scope name different from OAUTH_SCOPE_READ and OAUTH_SCOPE_WRITE', scopeExec);

  let introspection: IntrospectionConfig | undefined;
  const clientId = readOptionalString(env, 'OAUTH_INTROSPECTION_CLIENT_ID');
  const clientSecret = readOptionalString(env, 'OAUTH_INTROSPECTION_CLIENT_SECRET');
  if (introspectionUrl) {
    if (enabled && !clientId)
      throw new ConfigError('OAUTH_INTROSPECTION_CLIENT_ID', 'the client id this server uses at OAUTH_INTROSPECTION_URL');
    if (enabled && !clientSecret)
      throw new ConfigError('OAUTH_INTROSPECTION_CLIENT_SECRET', 'the client secret this server uses at OAUTH_INTROSPECTION_URL');
    introspection = {
      url: introspectionUrl.href,
      clientId: clientId ?? '',
      clientSecret: clientSecret ?? '',
      cacheMs: readInt(env, 'OAUTH_INTROSPECTION_CACHE_MS', 30_000, 0, 3_600_000),
    };
  }

  return {
    enabled,
    issuer: builtin ? builtin.issuer : issuerUrl ? readString(env, 'OAUTH_ISSUER', '') : '',
    resource,
    resourceMetadataUrl: resourceMetadataUrlFor(resource),
    audiences: audiences.length > 0 ? audiences : [resource],
    scopeRead,
    scopeWrite,
    scopeExec,
    jwksUrl: jwksUrl?.href,
    jwksCacheMs: readInt(env, 'OAUTH_JWKS_CACHE_MS', 600_000, 1_000, 86_400_000),
    clockToleranceSec: readInt(env, 'OAUTH_CLOCK_TOLERANCE_S', 30, 0, 300),
    introspection,
    mcpInsufficientScope: readEnum(env, 'OAUTH_MCP_INSUFFICIENT_SCOPE', ['tool_result', 'http_403'] as const, 'tool_result'),
    builtin,
  };
}

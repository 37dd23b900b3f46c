import { AuthUnavailableError } from './errors.js';
import { fetchJson, isRecord } from './fetchJson.js';

/** The fields of RFC 8414 / OIDC Discovery metadata this server uses (the rest is kept verbatim). */
export interface AuthorizationServerMetadata extends Record<string, unknown> {
  issuer: string;
  jwks_uri?: string;
  introspection_endpoint?: string;
}

/**
 * Where an issuer's metadata may live, in the order MCP clients try them: RFC 8414 with the
 * issuer's path inserted after the well-known segment, then OpenID Connect Discovery
 * (path-inserted, then appended).
 */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return [
    ...new Set([
      `${url.origin}/.well-known/oauth-authorization-server${path}`,
      `${url.origin}/.well-known/openid-configuration${path}`,
      `${url.origin}${path}/.well-known/openid-configuration`,
    ]),
  ];
}

export interface DiscoveryOptions {
  /** How long fetched metadata is reused. */
  ttlMs?: number;
  timeoutMs?: number;
}

/**
 * Fetches and caches the authorization server's metadata. Fetched on first use, not at
 * startup, so the server starts (and serves API keys) while the authorization server is down.
 */
export class AuthorizationServerDiscovery {
  private cached?: { metadata: AuthorizationServerMetadata; until: number };
  private pending?: Promise<AuthorizationServerMetadata>;
  private readonly ttlMs: number;
  private readonly timeoutMs: number;

  constructor(
    readonly issuer: string,
    options: DiscoveryOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 3_600_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  async metadata(): Promise<AuthorizationServerMetadata> {
    if (this.cached && Date.now() < this.cached.until) return this.cached.metadata;
    // Concurrent first requests share one fetch instead of stampeding the authorization server.
    this.pending ??= this.fetchMetadata().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchMetadata(): Promise<AuthorizationServerMetadata> {
    const tried: string[] = [];
    for (const url of metadataUrls(this.issuer)) {
      const { status, body } = await fetchJson(url, {
        headers: { accept: 'application/json' },
        redirect: 'follow',
        timeoutMs: this.timeoutMs,
      });
      if (status !== 200 || !isRecord(body)) {
        tried.push(`${url} (${status})`);
        continue;
      }
      // Security: RFC 8414 §3.3 — metadata naming another issuer is refused, so a compromised or
      // misconfigured document cannot make us trust someone else's keys (mix-up protection).
      if (body.issuer !== this.issuer) {
        throw new AuthUnavailableError(
          `The metadata at ${url} names issuer ${JSON.stringify(body.issuer)}, not OAUTH_ISSUER ${JSON.stringify(this.issuer)}; set OAUTH_ISSUER to the exact issuer value.`,
        );
      }
      const metadata = body as AuthorizationServerMetadata;
      this.cached = { metadata, until: Date.now() + this.ttlMs };
      return metadata;
    }
    throw new AuthUnavailableError(`No authorization server metadata found for ${this.issuer}; tried ${tried.join(', ')}.`);
  }
}

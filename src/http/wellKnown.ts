import { Router, type RequestHandler, type Response } from 'express';
import type { OAuthResourceServer } from '../auth/oauth/index.js';
import type { AuthMode } from '../config/auth.js';
import { SERVER_INFO } from '../serverInfo.js';

const PRM = '/.well-known/oauth-protected-resource';
const AS_METADATA = '/.well-known/oauth-authorization-server';
const OIDC = '/.well-known/openid-configuration';

/**
 * Public metadata documents are readable from any browser origin (MCP Inspector fetches them
 * from its own page, with an MCP-Protocol-Version header, so a preflight comes first). They
 * carry no credentials, so `*` is safe.
 */
function publicCors(res: Response): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'MCP-Protocol-Version, Content-Type, Accept');
  res.setHeader('Access-Control-Max-Age', '600');
}

function notFound(res: Response, description: string): void {
  publicCors(res);
  res.status(404).json({ error: 'not_found', error_description: description });
}

/**
 * The OAuth discovery documents (RFC 9728 Protected Resource Metadata, and a copy of the
 * authorization server's RFC 8414 metadata for 2025-03-26-era clients that look for it on the
 * MCP server's own origin). Mounted before CORS and /mcp so these paths are never taken for an
 * MCP request; without OAuth they answer a clean JSON 404 that tells the client to use a key.
 */
export function wellKnownRoutes(options: {
  mode: AuthMode;
  oauth?: OAuthResourceServer;
  /** The built-in authorization server's own metadata handler (OAUTH_SERVER=builtin). */
  authorizationServer?: RequestHandler;
}): Router {
  const router = Router();
  const paths = [PRM, `${PRM}/*rest`, AS_METADATA, `${AS_METADATA}/*rest`, OIDC, `${OIDC}/*rest`];

  router.options(paths, (_req, res) => {
    publicCors(res);
    res.setHeader('Allow', 'GET, HEAD, OPTIONS');
    res.status(204).end();
  });

  const oauth = options.oauth;
  if (!oauth) {
    const description =
      options.mode === 'none'
        ? 'This server does not use authentication (AUTH_MODE=none): connect without OAuth.'
        : 'This server does not use OAuth (AUTH_MODE=api_key): send an API key as "Authorization: Bearer <key>".';
    router.get(paths, (_req, res) => notFound(res, description));
    return router;
  }

  const { config } = oauth;
  const resourcePath = new URL(config.resource).pathname;
  // RFC 9728 §3.3: `resource` is the exact URL clients connect to. The root document says the
  // same, so a client falling back to it requests tokens for the same audience.
  const metadata = {
    resource: config.resource,
    authorization_servers: [config.issuer],
    scopes_supported: oauth.scopesSupported,
    bearer_methods_supported: ['header'],
    resource_name: SERVER_INFO.title,
  };
  router.get([PRM, ...new Set([`${PRM}/mcp`, `${PRM}${resourcePath}`])], (_req, res) => {
    publicCors(res);
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(metadata);
  });
  router.get(`${PRM}/*rest`, (req, res) =>
    notFound(res, `No protected resource is described at ${req.path}; this server's is ${config.resourceMetadataUrl}.`),
  );

  if (options.authorizationServer) {
    // This server is the issuer: RFC 8414 metadata (and OpenID discovery) for the issuer at the
    // origin's root; anything under them names another issuer.
    router.get([AS_METADATA, OIDC], options.authorizationServer);
    router.get([`${AS_METADATA}/*rest`, `${OIDC}/*rest`], (_req, res) =>
      notFound(res, `No other issuer is described here; this server's metadata is at ${config.issuer}${AS_METADATA}.`),
    );
    return router;
  }
  const discovery = oauth.discovery!;
  router.get(AS_METADATA, async (_req, res) => {
    publicCors(res);
    let document: Record<string, unknown>;
    try {
      document = await discovery.metadata();
    } catch {
      // Security: an error is never cacheable, or a proxy would keep serving the outage (and a
      // cached error could be replayed to other clients after the authorization server is back).
      res.setHeader('Cache-Control', 'no-store');
      res.status(502).json({
        error: 'temporarily_unavailable',
        error_description: `The authorization server ${config.issuer} did not provide its metadata; try again shortly.`,
      });
      return;
    }
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(document);
  });
  router.get([`${AS_METADATA}/*rest`, OIDC, `${OIDC}/*rest`], (_req, res) =>
    notFound(
      res,
      `This server is not an authorization server; its authorization server is ${config.issuer} (see ${config.resourceMetadataUrl}).`,
    ),
  );
  return router;
}

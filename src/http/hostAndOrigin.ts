import type { RequestHandler } from 'express';
import cors from 'cors';
import { isLoopbackHost } from '../config/server.js';
import type { ServerConfig } from '../config/server.js';
import { sendError } from './errorReply.js';
import { dialectFor } from './dialect.js';
import { repeatedCredentialHeader } from './duplicateHeaders.js';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

const hostnames = new Map<string, string>();

/** Hostname of a Host header value; memoised (a server sees few distinct values, and URL parsing is not free). */
function hostnameOf(hostHeader: string): string {
  let name = hostnames.get(hostHeader);
  if (name === undefined) {
    try {
      name = new URL(`http://${hostHeader}`).hostname.toLowerCase();
    } catch {
      name = '';
    }
    // Security: bounded, so a flood of distinct Host values cannot grow memory.
    if (hostnames.size >= 1000) hostnames.clear();
    hostnames.set(hostHeader, name);
  }
  return name;
}

export interface OriginPolicy {
  isAllowedOrigin: (origin: string) => boolean;
  isAllowedHost: (host: string | undefined) => boolean;
}

/**
 * Security: DNS rebinding and cross-site requests. A browser page can make its own domain resolve
 * to 127.0.0.1; checking Host (and Origin, when present) stops it from reaching a loopback server.
 * Requests without Origin (server-to-server clients: ChatGPT, Claude, the Responses API) pass.
 */
export function originPolicy(config: ServerConfig): OriginPolicy {
  const loopbackBind = isLoopbackHost(config.host);
  const allowedHosts = new Set(config.allowedHosts.map((h) => hostnameOf(h) || h));
  if (config.publicUrl) allowedHosts.add(config.publicUrl.hostname.toLowerCase());
  const allowedOrigins = new Set(config.allowedOrigins);
  if (config.publicUrl) allowedOrigins.add(config.publicUrl.origin);
  const anyOrigin = allowedOrigins.has('*');

  return {
    isAllowedHost(host) {
      if (!host) return false;
      const name = hostnameOf(host);
      if (LOOPBACK_NAMES.has(name)) return true;
      if (allowedHosts.has(name)) return true;
      // Bound to a public interface with no host list: the operator fronts us with a proxy that
      // decides the Host; we cannot know the public name, so we do not guess.
      return !loopbackBind && allowedHosts.size === 0;
    },
    isAllowedOrigin(origin) {
      if (anyOrigin || allowedOrigins.has(origin)) return true;
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        return false;
      }
      // Local tools (MCP Inspector in a browser) may call a loopback-bound server.
      return loopbackBind && LOOPBACK_NAMES.has(url.hostname.toLowerCase()) && (url.protocol === 'http:' || url.protocol === 'https:');
    },
  };
}

/**
 * Refuses a repeated credential or routing header (400), then a Host this server does not serve
 * (403). Runs before anything else looks at either header.
 */
export function hostGuard(policy: OriginPolicy): RequestHandler {
  return function checkHost(req, res, next) {
    const repeated = repeatedCredentialHeader(req);
    if (repeated) {
      // Security: two Authorization (or Host) headers are refused, never resolved first-wins: a proxy
      // in front may have checked or routed by the other copy.
      sendError(res, dialectFor(req, res), {
        status: 400,
        code: 'INVALID_REQUEST',
        message: `The request carries the ${headerName(repeated)} header more than once; send it exactly once.`,
      });
      return;
    }
    if (policy.isAllowedHost(req.get('host'))) return next();
    sendError(res, dialectFor(req, res), {
      status: 403,
      code: 'FORBIDDEN',
      message: 'Forbidden: this Host header is not served here (DNS-rebinding protection). Add it to ALLOWED_HOSTS if it is yours.',
    });
  };
}

export function originGuard(policy: OriginPolicy): RequestHandler {
  return function checkOrigin(req, res, next) {
    const origin = req.get('origin');
    if (origin === undefined || policy.isAllowedOrigin(origin)) return next();
    sendError(res, dialectFor(req, res), {
      status: 403,
      code: 'FORBIDDEN',
      message: 'Forbidden: requests from this Origin are not allowed. Add it to ALLOWED_ORIGINS if it is yours.',
    });
  };
}

/** CORS for browser clients: the MCP headers allowed in, the session/version/auth headers exposed. */
export function corsForMcp(policy: OriginPolicy): RequestHandler {
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && policy.isAllowedOrigin(origin)),
    methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'Accept',
      'Mcp-Session-Id',
      'MCP-Protocol-Version',
      'Mcp-Method',
      'Mcp-Name',
      'Last-Event-ID',
      'X-Request-Id',
    ],
    exposedHeaders: [
      'Mcp-Session-Id',
      'MCP-Protocol-Version',
      'WWW-Authenticate',
      'X-Request-Id',
      'Retry-After',
      'RateLimit',
      'RateLimit-Policy',
    ],
    maxAge: 600,
  });
}

function headerName(lower: string): string {
  return lower.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

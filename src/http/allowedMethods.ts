import type { Request, RequestHandler } from 'express';
import { dialectFor } from './dialect.js';
import { sendError } from './errorReply.js';

/** A route and the HTTP methods it serves (HEAD is implied by GET, OPTIONS by any). */
export interface RouteMethods {
  /** Exact path, or a prefix ending in `/` that covers everything below it. */
  path: string;
  methods: string[];
}

function allowHeader(methods: string[]): string {
  const all = new Set(methods.map((m) => m.toUpperCase()));
  if (all.has('GET')) all.add('HEAD');
  all.add('OPTIONS');
  return [...all].join(', ');
}

/**
 * Answers every method a known route does not serve with a well-formed 405 and an `Allow` header,
 * in the route's reply shape, before any handler runs. A plain OPTIONS (no CORS preflight the CORS
 * layer already answered) gets 204 with the same `Allow`.
 * Security: nothing downstream ever sees an unexpected method (TRACE, PROPFIND, …), so no handler or
 * library can fail on one with a 500 or echo the request back.
 */
export function allowedMethods(routes: RouteMethods[]): RequestHandler {
  const table = routes.map((route) => ({ ...route, allow: allowHeader(route.methods), methods: new Set(route.methods) }));
  const find = (req: Request) => {
    // Express routes ignore case and a trailing slash; so does this table.
    const path = req.path.toLowerCase().replace(/(.)\/+$/, '$1');
    return table.find((route) => (route.path.endsWith('/') ? path.startsWith(route.path) : path === route.path));
  };
  return function checkMethod(req, res, next) {
    const route = find(req);
    if (!route) return next();
    const method = req.method.toUpperCase();
    if (route.methods.has(method) || (method === 'HEAD' && route.methods.has('GET'))) return next();
    res.setHeader('Allow', route.allow);
    if (method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    sendError(res, dialectFor(req, res), {
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      message: `${req.path} does not serve ${method}; it serves ${route.allow}.`,
    });
  };
}

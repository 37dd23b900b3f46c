import type { RequestHandler } from 'express';

/**
 * Every reply starts as `Cache-Control: no-store`; the few documents that may be cached (the OAuth
 * metadata) opt in when they succeed.
 * Security: replies carry per-caller results, and errors must never be cached by a proxy or
 * browser, so forgetting to set a header can only make a reply less cacheable, never more.
 */
export function noStoreByDefault(): RequestHandler {
  return function defaultNoStore(_req, res, next) {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

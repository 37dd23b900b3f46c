import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { RequestState } from './requestState.js';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honours a well-formed incoming X-Request-Id (or generates one) and echoes it on the response. */
export function requestId(): RequestHandler {
  return function assignRequestId(req, res, next) {
    const incoming = req.get('x-request-id');
    // Security: only a short, plain id is echoed, so a caller cannot inject text into logs or headers.
    const id = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
    const state: RequestState = { requestId: id, startedAt: performance.now() };
    res.locals.state = state;
    res.setHeader('X-Request-Id', id);
    next();
  };
}

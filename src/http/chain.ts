import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Runs middlewares in order as one handler, the way one Express router layer per middleware
 * would, without the router: no path match, layer bookkeeping or `next` indirection per step
 * (about a tenth of a small call's CPU when each of a dozen stages was its own layer). A stage
 * that calls `next(error)`, throws, or returns a promise that rejects hands the error to the
 * outer `next`, as Express 5 does; a stage that answers simply does not call `next`.
 */
export function chain(name: string, handlers: RequestHandler[]): RequestHandler {
  const run = (index: number, req: Request, res: Response, done: NextFunction): void => {
    if (index === handlers.length) {
      done();
      return;
    }
    let called = false;
    const step: NextFunction = (error?: unknown) => {
      // A stage calling next twice would run the rest twice; Express ignores it too.
      if (called) return;
      called = true;
      if (error !== undefined && error !== null) done(error);
      else run(index + 1, req, res, done);
    };
    try {
      const result: unknown = handlers[index]!(req, res, step);
      if (result instanceof Promise) result.catch((error: unknown) => (called ? undefined : step(error ?? new Error('rejected'))));
    } catch (error) {
      // Thrown after it called next: it came from further down, whose own stage did not catch it
      // (the outer router's catch will); swallowing it here would leave the request hanging.
      if (called) throw error;
      step(error ?? new Error('thrown'));
    }
  };
  const handler: RequestHandler = (req, res, next) => run(0, req, res, next);
  Object.defineProperty(handler, 'name', { value: name });
  return handler;
}

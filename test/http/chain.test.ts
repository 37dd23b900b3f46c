import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { chain } from '../../src/http/chain.js';

/** An app whose only layer is the chain, then a 404 and an error handler that name what happened. */
function appWith(handlers: RequestHandler[]) {
  const app = express();
  app.use(chain('test', handlers));
  app.use((_req, res) => {
    res.status(404).json({ fellThrough: true, seen: res.locals.seen ?? [] });
  });
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    res.status(500).json({ error: error instanceof Error ? error.message : String(error), seen: res.locals.seen ?? [] });
  };
  app.use(onError);
  return app;
}

const mark =
  (name: string): RequestHandler =>
  (_req, res, next) => {
    res.locals.seen = [...(res.locals.seen ?? []), name];
    next();
  };

describe('chain: middlewares as one router layer', () => {
  it('runs every stage in order, then goes on to the next layer', async () => {
    const answer = await request(appWith([mark('a'), mark('b'), mark('c')])).get('/');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ fellThrough: true, seen: ['a', 'b', 'c'] });
  });

  it('stops at the stage that answers', async () => {
    const answer = await request(
      appWith([
        mark('a'),
        (_req, res) => {
          res.json({ answeredBy: 'b', seen: res.locals.seen });
        },
        mark('never'),
      ]),
    ).get('/');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ answeredBy: 'b', seen: ['a'] });
  });

  it('hands next(error), a thrown error and a rejected promise to the error handler, skipping the rest', async () => {
    const cases: RequestHandler[] = [
      (_req, _res, next) => next(new Error('passed')),
      () => {
        throw new Error('thrown');
      },
      async () => {
        await Promise.resolve();
        throw new Error('rejected');
      },
    ];
    for (const failing of cases) {
      const answer = await request(appWith([mark('a'), failing, mark('never')])).get('/');
      expect(answer.status).toBe(500);
      expect(answer.body.seen).toEqual(['a']);
      expect(answer.body.error).toMatch(/passed|thrown|rejected/);
    }
  });

  it('runs the rest once when a stage calls next twice', async () => {
    const twice: RequestHandler = (_req, _res, next) => {
      next();
      next();
    };
    const answer = await request(appWith([twice, mark('b')])).get('/');
    expect(answer.body.seen).toEqual(['b']);
  });

  it('does not swallow an error thrown further down after an earlier stage called next', async () => {
    const answer = await request(
      appWith([
        mark('a'),
        () => {
          throw new Error('late');
        },
      ]),
    ).get('/');
    expect(answer.status).toBe(500);
    expect(answer.body.error).toBe('late');
  });
});

import express, { type Express } from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A scriptable stand-in for an authorization server, for rules a real provider will not break. */
export interface FakeAuthServer {
  url: string;
  app: Express;
  /** Requests seen, by path. */
  hits: Map<string, number>;
  close: () => Promise<void>;
}

export async function startFakeAuthServer(setup: (app: Express, url: string) => void): Promise<FakeAuthServer> {
  const app = express();
  const hits = new Map<string, number>();
  app.use((req, _res, next) => {
    hits.set(req.path, (hits.get(req.path) ?? 0) + 1);
    next();
  });
  const http = createServer(app);
  http.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => http.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  setup(app, url);
  return {
    url,
    app,
    hits,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

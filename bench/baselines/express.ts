// Baseline 2: bare Express 5 with its JSON body parser, answering the same fixed result.
import { createServer } from 'node:http';
import express from 'express';
import { announce, fixedResult } from './common.js';

const app = express();
app.disable('x-powered-by');
app.post('/mcp', express.json(), (req, res) => {
  res.json(fixedResult((req.body as { id?: unknown } | undefined)?.id));
});

announce(createServer(app), 'express');

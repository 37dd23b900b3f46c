// Baseline 1, the ceiling: node:http parsing a JSON-RPC tools/call and answering a fixed result.
import { createServer } from 'node:http';
import { announce, fixedResult } from './common.js';

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/mcp') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let id: unknown;
    try {
      id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown }).id;
    } catch {
      res.writeHead(400).end();
      return;
    }
    const body = JSON.stringify(fixedResult(id));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});

announce(server, 'raw-node');

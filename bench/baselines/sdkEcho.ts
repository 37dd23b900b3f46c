// Baseline 3: the smallest server the official SDK v2 allows — createMcpHandler (stateless
// 2025-era serving, a fresh low-level Server per request, as ours does) behind toNodeHandler on
// node:http, with one echo tool. No auth, no validation, no logging: the SDK's own cost.
import { createServer } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, Server } from '@modelcontextprotocol/server';
import { announce } from './common.js';

const echoTool = {
  name: 'echo',
  description: 'Returns its arguments.',
  inputSchema: { type: 'object' as const, properties: { text: { type: 'string' } }, additionalProperties: false },
};

function buildServer(): Server {
  const server = new Server({ name: 'sdk-echo', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', async () => ({ tools: [echoTool] }));
  server.setRequestHandler('tools/call', async (request) => {
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    return { content: [{ type: 'text' as const, text: JSON.stringify(args) }], structuredContent: args };
  });
  return server;
}

const handler = createMcpHandler(buildServer, { legacy: 'stateless' });
const serve = toNodeHandler(handler);

const server = createServer((req, res) => {
  if (req.url !== '/mcp') {
    res.writeHead(404).end();
    return;
  }
  void serve(req, res);
});

announce(server, 'sdk-echo');

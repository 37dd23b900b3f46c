// Baseline 4: the SDK v2's own stateful server — NodeStreamableHTTPServerTransport with session ids,
// one low-level Server per session (the SDK's documented sessionful idiom), one echo tool. The
// bench opens one session (initialize) and loads tools/call on it with its Mcp-Session-Id.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { Server } from '@modelcontextprotocol/server';
import { announce } from './common.js';

const echoTool = {
  name: 'echo',
  description: 'Returns its arguments.',
  inputSchema: { type: 'object' as const, properties: { text: { type: 'string' } }, additionalProperties: false },
};

function buildServer(): Server {
  const server = new Server({ name: 'sdk-stateful', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', async () => ({ tools: [echoTool] }));
  server.setRequestHandler('tools/call', async (request) => {
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    return { content: [{ type: 'text' as const, text: JSON.stringify(args) }], structuredContent: args };
  });
  return server;
}

const sessions = new Map<string, NodeStreamableHTTPServerTransport>();

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
}

const server = createServer(async (req, res) => {
  if (req.url !== '/mcp') {
    res.writeHead(404).end();
    return;
  }
  const body = req.method === 'POST' ? await readJson(req) : undefined;
  const sessionId = req.headers['mcp-session-id'];
  let transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
  if (!transport) {
    if (sessionId !== undefined) {
      res.writeHead(404).end();
      return;
    }
    const created = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, created);
      },
    });
    transport = created;
    await buildServer().connect(created);
  }
  await transport.handleRequest(req, res, body);
});

announce(server, 'sdk-stateful');

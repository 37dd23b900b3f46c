// Baselines 5 and 6: fastmcp 4.x (FastMCP over its httpStream transport), one echo tool, stateful
// (sessions: the bench opens one with initialize) or stateless (FASTMCP_STATELESS=true).
import { createServer } from 'node:net';
import { FastMCP } from 'fastmcp';
import { z } from 'zod';

const stateless = process.env.FASTMCP_STATELESS === 'true';
const name = stateless ? 'fastmcp-stateless' : 'fastmcp-stateful';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

const mcp = new FastMCP({ name, version: '1.0.0' });
mcp.addTool({
  name: 'echo',
  description: 'Returns its arguments.',
  parameters: z.object({ text: z.string().optional() }),
  execute: async (args) => ({ content: [{ type: 'text', text: JSON.stringify(args) }], structuredContent: args }) as never,
});

const port = await freePort();
await mcp.start({ transportType: 'httpStream', httpStream: { port, host: '127.0.0.1', endpoint: '/mcp', stateless } });
console.log(`${name} listening on http://127.0.0.1:${port}/mcp`);
const stop = () => void mcp.stop().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

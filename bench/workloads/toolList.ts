import { TOOL_LIST_BUDGET_BYTES, toolListBytes } from '../../src/dialects/mcp/toolList.js';
import type { BenchContext } from '../lib/context.js';
import { mcpMessage, post } from '../lib/http.js';
import { startOurs } from '../lib/ours.js';
import { mcpHeaders } from '../lib/requests.js';

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

/**
 * The size of what every model turn carries: the `tools/list` result for the bench's read+write
 * key with every default tool, as JSON bytes, with its parts. No load: one request, a few seconds
 * (`npm run bench -- --only tool_list`).
 */
export async function toolListWorkload(ctx: BenchContext): Promise<void> {
  const { book, log } = ctx;
  const section = book.section('tool_list', 'tools/list size');
  const server = await startOurs({ name: 'ours-tool-list' });
  try {
    const reply = await post(server.mcpUrl, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), mcpHeaders(server.key));
    const result = mcpMessage(reply.text)?.result as { tools: Record<string, unknown>[] } | undefined;
    if (reply.status !== 200 || !result) throw new Error(`tools/list answered ${reply.status}: ${reply.text.slice(0, 200)}`);
    const bytes = toolListBytes(result);
    const part = (key: string) => result.tools.reduce((sum, tool) => sum + toolListBytes(tool[key] ?? ''), 0);
    const parts: [string, number][] = [
      ['descriptions', part('description')],
      ['input schemas', part('inputSchema')],
      ['output schemas', part('outputSchema')],
      ['annotations', part('annotations')],
    ];
    log(`  ${result.tools.length} tools, ${bytes} bytes (${kib(bytes)} KiB; budget ${TOOL_LIST_BUDGET_BYTES})`);
    section.tables.push({
      columns: ['part', 'bytes'],
      rows: [...parts.map(([name, size]) => [name, String(size)]), ['whole result', String(bytes)]],
    });
    section.notes.push(
      `${result.tools.length} tools for a read+write key. Output schemas are listed as {"type":"object"}; the full ones come from get_tool_documentation.`,
    );
    section.data = { tools: result.tools.length, bytes, parts: Object.fromEntries(parts) };
    book.target('tool_list_size', `${bytes} bytes (${kib(bytes)} KiB)`, bytes <= TOOL_LIST_BUDGET_BYTES);
  } finally {
    await server.dispose();
  }
}

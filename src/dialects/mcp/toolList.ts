import type { Caller } from '../../core/caller.js';
import type { JsonSchema } from '../../core/operation.js';
import type { Registry } from '../../core/registry.js';

export interface McpToolDefinition {
  name: string;
  title: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  annotations: Record<string, unknown>;
}

/**
 * What every model turn pays for: the JSON bytes of the `tools/list` result for a read+write key
 * with every default tool (issue #16: half the 38 KB it was). test/dialects/toolListSize.test.ts
 * fails past it; `npm run bench` reports it.
 */
export const TOOL_LIST_BUDGET_BYTES = 19_456;

/** The size the budget is about: the `tools/list` result (`{"tools": [...]}`) as JSON bytes. */
export function toolListBytes(result: unknown): number {
  return Buffer.byteLength(JSON.stringify(result), 'utf8');
}

/**
 * The output schema as `tools/list` shows it: `{"type": "object"}`, which says the tool returns
 * structuredContent. Clients use the schema only to validate that, which this one accepts whenever
 * the declared one does, and most never show it to the model, while every model turn would pay for
 * the full shapes (a third of the list). The declared schema stays the contract: tests validate
 * every result against it, get_tool_documentation returns it, and docs/tools/*.md describe it.
 */
const listedOutputSchema = (): JsonSchema => ({ type: 'object' });

/**
 * `tools/list` entries generated from the registry, memoised per scope set: the list only varies
 * by what the caller may call, and rebuilding it per request would cost every call.
 */
export function toolListFor(registry: Registry): (caller: Caller) => McpToolDefinition[] {
  const memo = new Map<string, McpToolDefinition[]>();
  return (caller) => {
    const key = [...caller.scopes].sort().join('+');
    let tools = memo.get(key);
    if (!tools) {
      tools = registry.list(caller).map(({ op }) => ({
        name: op.mcpName,
        title: op.title,
        description: op.description,
        inputSchema: op.inputSchema,
        outputSchema: listedOutputSchema(),
        // The title is the tool's own (MCP 2025-06-18 on); annotations carry only the four hints.
        annotations: { ...op.annotations },
      }));
      memo.set(key, tools);
    }
    return tools;
  };
}

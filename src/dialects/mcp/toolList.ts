import type { Caller } from '../../core/caller.js';
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
        outputSchema: op.outputSchema,
        annotations: { title: op.title, ...op.annotations },
      }));
      memo.set(key, tools);
    }
    return tools;
  };
}

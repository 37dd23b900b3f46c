import type { Dialect } from '../core/context.js';
import type { Registry } from '../core/registry.js';
import type { ResourceTable } from '../core/resourceTable.js';

/** What one HTTP request asks for, as the rate limiter counts it. */
export interface RequestCalls {
  /** Hits against the caller's limit: 1, or the number of items in a batch. */
  total: number;
  /** `tool.operation` of every tool call in the request (batch items included), resource reads as their declaration says. */
  calls: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Counts a request's calls from its (not yet validated) body, so a batch of N costs N. Anything
 * malformed counts as one request; the dialect rejects it afterwards.
 */
export function countCalls(body: unknown, dialect: Dialect | undefined, registry: Registry, resources?: ResourceTable): RequestCalls {
  if (dialect === 'mcp') {
    const messages = Array.isArray(body) ? body : [body];
    const calls: string[] = [];
    for (const message of messages) {
      const resourceCall = isRecord(message) ? resourceCallOf(message, resources) : undefined;
      if (resourceCall) calls.push(resourceCall);
      if (!isRecord(message) || message.method !== 'tools/call' || !isRecord(message.params)) continue;
      const name = message.params.name;
      const entry = typeof name === 'string' ? registry.byMcpName(name) : undefined;
      if (entry) calls.push(`${entry.op.tool}.${entry.op.operation}`);
    }
    return { total: Math.max(1, messages.length), calls };
  }
  if (dialect === 'envelope' && isRecord(body) && isRecord(body.content)) {
    const { batch } = body.content;
    const items = Array.isArray(batch) ? batch : [body.content];
    const calls = items
      .filter(
        (item): item is Record<string, unknown> =>
          isRecord(item) && typeof item.tool_name === 'string' && typeof item.operation === 'string',
      )
      .map((item) => `${item.tool_name as string}.${item.operation as string}`);
    return { total: Math.max(1, items.length), calls };
  }
  return { total: 1, calls: [] };
}

/** `resources/list` and `resources/read` count as the tool operations their declaration names. */
function resourceCallOf(message: Record<string, unknown>, resources: ResourceTable | undefined): string | undefined {
  if (!resources || resources.empty) return undefined;
  if (message.method === 'resources/list') return resources.all[0]!.declaration.rateLimitAs?.list;
  if (message.method !== 'resources/read' || !isRecord(message.params) || typeof message.params.uri !== 'string') return undefined;
  return resources.owner(message.params.uri)?.declaration.rateLimitAs?.read;
}

/** How many of `calls` a limit on `target` (`tool` or `tool.operation`) covers. */
export function callsCoveredBy(target: string, calls: string[]): number {
  const wholeTool = !target.includes('.');
  return calls.filter((call) => (wholeTool ? call.slice(0, call.indexOf('.')) === target : call === target)).length;
}

/** What one HTTP request costs, as the rate limiters count it (from the request's facts). */
export interface RequestCalls {
  /** Tool calls it makes (MCP tools/call and resource reads, envelope operations; every batch item): RATE_LIMIT_MAX. */
  toolCalls: number;
  /** Messages that call no tool (initialize, notifications, tools/list, ping…): RATE_LIMIT_PROTOCOL_MAX. */
  protocol: number;
  /** `tool.operation` of every tool call in the request (batch items included). */
  calls: string[];
}

/** How many of `calls` a limit on `target` (`tool` or `tool.operation`) covers. */
export function callsCoveredBy(target: string, calls: string[]): number {
  const wholeTool = !target.includes('.');
  return calls.filter((call) => (wholeTool ? call.slice(0, call.indexOf('.')) === target : call === target)).length;
}

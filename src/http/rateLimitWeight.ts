/** What one HTTP request asks for, as the rate limiter counts it. */
export interface RequestCalls {
  /** Hits against the caller's limit: 1, or the number of items in a batch. */
  total: number;
  /** `tool.operation` of every tool call in the request (batch items included). */
  calls: string[];
}

/** How many of `calls` a limit on `target` (`tool` or `tool.operation`) covers. */
export function callsCoveredBy(target: string, calls: string[]): number {
  const wholeTool = !target.includes('.');
  return calls.filter((call) => (wholeTool ? call.slice(0, call.indexOf('.')) === target : call === target)).length;
}

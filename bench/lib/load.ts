import autocannon, { type AutocannonRequest } from 'autocannon';

export interface LoadRequest {
  body: string;
  headers: Record<string, string>;
}

export interface LoadSpec {
  url: string;
  /** One request, or several that every connection cycles through (e.g. two dialects). */
  requests: LoadRequest[];
  /** Every answer must pass this check (a 200 that carries a tool error is not a success). */
  verify: (body: string) => boolean;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Socket errors + timeouts + non-2xx + failed checks. */
  failures: number;
}

export interface LoadShape {
  connections: number;
  durationS?: number;
  amount?: number;
}

/** One autocannon run from this process against a server in another. */
export async function runLoad(spec: LoadSpec, shape: LoadShape): Promise<LoadResult> {
  const path = new URL(spec.url).pathname;
  const requests: AutocannonRequest[] = spec.requests.map((r) => ({ method: 'POST', path, headers: r.headers, body: r.body }));
  const result = await autocannon({
    url: spec.url,
    connections: shape.connections,
    ...(shape.amount ? { amount: shape.amount } : { duration: shape.durationS ?? 5 }),
    timeout: 30,
    method: 'POST',
    headers: spec.requests[0]!.headers,
    body: spec.requests[0]!.body,
    requests,
    verifyBody: spec.verify,
  });
  const completed = result.requests.total;
  return {
    rps: completed / Math.max(result.duration, 0.001),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: completed,
    failures: result.errors + result.timeouts + result.non2xx + result.mismatches,
  };
}

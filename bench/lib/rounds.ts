import type { MemorySample } from './memory.js';
import { runLoad, type LoadResult, type LoadShape, type LoadSpec } from './load.js';
import { median } from './stats.js';

export interface Contender {
  id: string;
  label: string;
  /** One measured run of the given shape (autocannon, or a direct client such as pg). */
  run: (shape: LoadShape) => Promise<LoadResult>;
  memory: () => MemorySample | undefined;
}

/** A contender loaded over HTTP by autocannon. */
export function httpContender(id: string, label: string, spec: LoadSpec, memory: () => MemorySample | undefined): Contender {
  return { id, label, memory, run: (shape) => runLoad(spec, shape) };
}

export interface RoundPlan {
  rounds: number;
  durationS: number;
  warmupS: number;
  connections: number;
}

export interface ContenderSummary {
  id: string;
  label: string;
  rounds: LoadResult[];
  rps: number;
  p50: number;
  p99: number;
  peakRssMiB: number | null;
  failures: number;
}

export interface InterleavedResult {
  summaries: Map<string, ContenderSummary>;
  /** Per round, rps by contender id: ratios are taken within a round, then the median. */
  perRound: Map<string, number>[];
}

/**
 * Runs every contender once per round, A B C … A B C …, rotating who goes first so no one
 * always follows the same neighbour; figures are medians over rounds.
 */
export async function interleaved(contenders: Contender[], plan: RoundPlan, log: (line: string) => void): Promise<InterleavedResult> {
  for (const c of contenders) {
    // Warm-up: JIT, connection pools and caches settle before anything is recorded.
    if (plan.warmupS > 0) await c.run({ connections: plan.connections, durationS: plan.warmupS });
  }
  const perRound: Map<string, number>[] = [];
  const results = new Map<string, LoadResult[]>(contenders.map((c) => [c.id, []]));
  for (let round = 0; round < plan.rounds; round++) {
    const thisRound = new Map<string, number>();
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + round) % contenders.length]!;
      const result = await c.run({ connections: plan.connections, durationS: plan.durationS });
      results.get(c.id)!.push(result);
      thisRound.set(c.id, result.rps);
      log(
        `  round ${round + 1}/${plan.rounds}  ${c.label.padEnd(34)} ${result.rps.toFixed(0).padStart(7)} rps  p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms${result.failures ? `  (${result.failures} failed)` : ''}`,
      );
    }
    perRound.push(thisRound);
  }
  const summaries = new Map<string, ContenderSummary>();
  for (const c of contenders) {
    const rounds = results.get(c.id)!;
    summaries.set(c.id, {
      id: c.id,
      label: c.label,
      rounds,
      rps: median(rounds.map((r) => r.rps)),
      p50: median(rounds.map((r) => r.p50)),
      p99: median(rounds.map((r) => r.p99)),
      peakRssMiB: c.memory()?.peakMiB ?? null,
      failures: rounds.reduce((n, r) => n + r.failures, 0),
    });
  }
  return { summaries, perRound };
}

/** Median over rounds of rps(a) / rps(b), both measured in the same round. */
export function pairedRatio(result: InterleavedResult, a: string, b: string): number {
  return median(result.perRound.map((r) => (r.get(a) ?? NaN) / (r.get(b) ?? NaN)));
}

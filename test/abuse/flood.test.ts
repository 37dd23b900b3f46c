import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, READER_KEY, envelope, postJson, startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_MAX: '20', RATE_LIMIT_IP_MAX: '0' } });
});
afterAll(async () => {
  await server.close();
});

async function timedCall(key: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const { status } = await postJson(server.mcpUrl, envelope('discovery', 'list_tools'), { authorization: `Bearer ${key}` });
  return { status, ms: performance.now() - started };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('a flood from one caller', () => {
  it('is rate limited while another caller keeps being served', async () => {
    const baseline: number[] = [];
    for (let i = 0; i < 8; i++) baseline.push((await timedCall(READER_KEY)).ms);

    let flooding = true;
    const flood: number[] = [];
    const flooders = Array.from({ length: 16 }, async () => {
      for (let i = 0; flooding && i < 50; i++) flood.push((await timedCall(ADMIN_KEY)).status);
    });
    const during: { status: number; ms: number }[] = [];
    for (let i = 0; i < 10; i++) during.push(await timedCall(READER_KEY));
    flooding = false;
    await Promise.all(flooders);

    // The flooder got its allowance and then 429s.
    expect(flood.filter((s) => s === 200).length).toBeLessThanOrEqual(20);
    expect(flood.filter((s) => s === 429).length).toBeGreaterThan(20);
    // The other caller was never limited, and (with generous room for a shared CI machine) not
    // slowed by an order of magnitude.
    expect(during.map((d) => d.status)).toEqual(Array(10).fill(200));
    expect(median(during.map((d) => d.ms))).toBeLessThan(median(baseline) * 10 + 100);
  });
});

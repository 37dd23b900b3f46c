import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, READER_KEY, envelope, postJson, startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_MAX: '20', RATE_LIMIT_IP_MAX: '0' } });
});
afterAll(async () => {
  await server.close();
});

async function call(key: string): Promise<number> {
  const { status } = await postJson(server.mcpUrl, envelope('discovery', 'list_tools'), { authorization: `Bearer ${key}` });
  return status;
}

describe('a flood from one caller', () => {
  it('is rate limited while another caller keeps being served', async () => {
    // Counted, not timed: the flood goes on until it has clearly passed its allowance and the other
    // caller has made all its calls, however slowly a loaded machine gets there. (How much a flood
    // slows others is a latency question for bench/, not for a unit test.)
    let readerDone = false;
    const flood: number[] = [];
    const flooders = Array.from({ length: 16 }, async () => {
      while (!readerDone || flood.length < 60) flood.push(await call(ADMIN_KEY));
    });
    const during: number[] = [];
    for (let i = 0; i < 10; i++) during.push(await call(READER_KEY));
    readerDone = true;
    await Promise.all(flooders);

    // The flooder got its allowance and then 429s.
    expect(flood.filter((s) => s === 200).length).toBeLessThanOrEqual(20);
    expect(flood.filter((s) => s === 429).length).toBeGreaterThanOrEqual(40);
    // The other caller was never limited.
    expect(during).toEqual(Array(10).fill(200));
  });
});

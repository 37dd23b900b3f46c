import { afterAll, describe, expect, it } from 'vitest';
import { ToolError } from '../../src/core/errors.js';
import { WorkerPool } from '../../src/infra/workerPool.js';

type Job = { kind: 'echo' | 'fail' | 'spin' | 'crash'; value?: string };
const pool = new WorkerPool<Job, string>(new URL('./fixtures/testWorker.ts', import.meta.url), { size: 1 });
afterAll(() => pool.close());

describe('WorkerPool: CPU work off the event loop, stopped with its call', () => {
  it('returns results, and ToolErrors keep their code and message', async () => {
    expect(await pool.run({ kind: 'echo', value: 'hi' })).toBe('hi');
    await expect(pool.run({ kind: 'fail', value: 'x' })).rejects.toMatchObject({ code: 'INVALID_PARAMS', message: 'bad: x' });
  });

  it('an endless job is stopped by its signal (the worker is terminated) and the pool goes on', async () => {
    const controller = new AbortController();
    const job = pool.run({ kind: 'spin' }, { signal: controller.signal });
    // The event loop is free while the worker spins: this timer fires.
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort(new ToolError('TIMEOUT', 'timeout'));
    await expect(job).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(await pool.run({ kind: 'echo', value: 'after' })).toBe('after');
  });

  it('a job queued behind an endless one runs once that one is stopped by its time limit', async () => {
    const spinning = pool.run({ kind: 'spin' }, { timeoutMs: 50 });
    const queued = pool.run({ kind: 'echo', value: 'queued' });
    await expect(spinning).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(await queued).toBe('queued');
  });

  it('a worker that dies fails its job with UNAVAILABLE, and the next job gets a new one', async () => {
    await expect(pool.run({ kind: 'crash' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(await pool.run({ kind: 'echo', value: 'again' })).toBe('again');
  });

  it('an already-aborted signal never starts the job', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(pool.run({ kind: 'echo', value: 'x' }, { signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

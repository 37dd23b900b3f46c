import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ToolError } from '../../src/core/errors.js';
import { createToolHarness, type ToolHarness } from '../helpers/toolHarness.js';
import { createTestTool } from '../helpers/testTools.js';

let harness: ToolHarness;
beforeEach(async () => {
  harness = await createToolHarness(createTestTool);
});
afterEach(async () => {
  await harness.close();
});

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  try {
    await promise;
  } catch (error) {
    return error as ToolError;
  }
  throw new Error('expected the call to fail');
}

describe('Executor', () => {
  it('refuses an operation the caller lacks the scope for', async () => {
    const error = await failure(harness.call('test_bump', {}, { scopes: ['read'] }));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toContain('"write" scope');
  });

  it('validates parameters against the declared schema and names the bad field', async () => {
    const error = await failure(harness.call('test_echo', { text: 42 }));
    expect(error.code).toBe('INVALID_PARAMS');
    expect(error.message).toContain('parameters.text must be string');
    const extra = await failure(harness.call('test_echo', { text: 'a', extra: 1 }));
    expect(extra.message).toContain('unknown property "extra"');
  });

  it('serves a repeated read from the cache until a write invalidates it', async () => {
    const first = await harness.callRaw('test_echo', { text: 'a' });
    const second = await harness.callRaw('test_echo', { text: 'a' });
    expect(second.cached).toBe(true);
    expect(second.result).toEqual(first.result);
    await harness.call('test_bump', {});
    const third = await harness.callRaw('test_echo', { text: 'a' });
    expect(third.cached).toBe(false);
    expect((third.result as { calls: number }).calls).toBe((first.result as { calls: number }).calls + 1);
  });

  it('keeps cache entries apart for callers with different scopes', async () => {
    await harness.call('test_echo', { text: 'a' }, { scopes: ['read', 'write'] });
    const reader = await harness.callRaw('test_echo', { text: 'a' }, { scopes: ['read'] });
    expect(reader.cached).toBe(false);
  });

  it('stops a call at its time limit with a TIMEOUT error and aborts its signal', async () => {
    const error = await failure(harness.call('test_slow', {}));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('200 ms');
  });

  it('hides unexpected errors behind a generic INTERNAL_ERROR', async () => {
    const error = await failure(harness.call('test_crash', {}));
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.message).not.toContain('/etc/passwd');
  });

  it('reports cancellation when the caller goes away', async () => {
    const controller = new AbortController();
    const pending = harness.call('test_slow', {}, { signal: controller.signal });
    controller.abort();
    expect((await failure(pending)).code).toBe('CANCELLED');
  });
});

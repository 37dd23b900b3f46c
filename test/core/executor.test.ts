import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ToolError } from '../../src/core/errors.js';
import { READ_ONLY, type ToolOperation } from '../../src/core/operation.js';
import type { ToolFactory } from '../../src/core/toolModule.js';
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

  describe('the signal a handler reads late', () => {
    /** A handler that looks at its signal only when told to, after the call may have been stopped. */
    function lateReader(timeoutMs: number) {
      let signalOf: (() => AbortSignal) | undefined;
      let started!: () => void;
      const running = new Promise<void>((resolve) => {
        started = resolve;
      });
      const lateSignal = (getter: () => AbortSignal) => {
        signalOf = getter;
        started();
      };
      const look = async () => {
        await running;
        const signal = signalOf!();
        return { aborted: signal.aborted, reason: signal.reason as unknown };
      };
      const op: ToolOperation = {
        tool: 'late',
        operation: 'read',
        mcpName: 'late_read',
        title: 'Late',
        description: 'Reads its signal late.',
        inputSchema: { type: 'object', properties: {}, additionalProperties: false },
        outputSchema: { type: 'object', properties: {} },
        annotations: READ_ONLY,
        scope: 'read',
        timeoutMs,
        handler: (_params, ctx) =>
          new Promise(() => {
            lateSignal(() => ctx.signal);
          }),
      };
      const factory: ToolFactory = () => ({ name: 'late', operations: [op] });
      return { factory, look };
    }

    it('is already aborted, with the timeout as its reason, when read after the time limit', async () => {
      const late = lateReader(50);
      const h = await createToolHarness(late.factory);
      try {
        const error = await failure(h.call('late_read', {}));
        expect(error.code).toBe('TIMEOUT');
        const seen = await late.look();
        expect(seen.aborted).toBe(true);
        expect((seen.reason as ToolError).code).toBe('TIMEOUT');
      } finally {
        await h.close();
      }
    });

    it('is already aborted when read after the caller went away', async () => {
      const late = lateReader(60_000);
      const h = await createToolHarness(late.factory);
      try {
        const controller = new AbortController();
        const pending = h.call('late_read', {}, { signal: controller.signal });
        controller.abort(new Error('gone'));
        expect((await failure(pending)).code).toBe('CANCELLED');
        expect((await late.look()).aborted).toBe(true);
      } finally {
        await h.close();
      }
    });

    it('is live while the call runs', async () => {
      const late = lateReader(60_000);
      const h = await createToolHarness(late.factory);
      try {
        const controller = new AbortController();
        const pending = h.call('late_read', {}, { signal: controller.signal });
        expect((await late.look()).aborted).toBe(false);
        controller.abort();
        await failure(pending);
      } finally {
        await h.close();
      }
    });
  });
});

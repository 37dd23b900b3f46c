import type { Logger } from 'winston';
import type { ResultCache } from '../infra/cache.js';
import { outOfScopeError } from './access.js';
import { hasScope } from './caller.js';
import type { CallContext } from './context.js';
import { ToolError, toToolError } from './errors.js';
import type { RegisteredOperation } from './registry.js';
import { canonicalJson, describeErrors } from './schema.js';

export interface ExecutionResult {
  result: unknown;
  cached: boolean;
}

export interface ExecutorOptions {
  cache?: ResultCache;
  defaultTimeoutMs: number;
  logger: Logger;
  /** Observability hook (metrics): called once per call with its outcome. */
  onOutcome?: (entry: RegisteredOperation, outcome: { ok: boolean; code?: string; cached: boolean; ms: number }) => void;
}

/**
 * The single path every call takes, whatever the dialect: scope check → parameter validation →
 * cache → handler under a time limit → cache fill or invalidation. Dialects only translate.
 */
export class Executor {
  constructor(private readonly options: ExecutorOptions) {}

  async execute(entry: RegisteredOperation, rawParams: unknown, ctx: CallContext): Promise<ExecutionResult> {
    const started = performance.now();
    try {
      const out = await this.run(entry, rawParams, ctx);
      this.options.onOutcome?.(entry, { ok: true, cached: out.cached, ms: performance.now() - started });
      return out;
    } catch (error) {
      const toolError = toToolError(error);
      if (toolError.code === 'INTERNAL_ERROR' && error !== toolError) {
        ctx.logger.error('tool handler failed', {
          requestId: ctx.requestId,
          tool: entry.op.tool,
          operation: entry.op.operation,
          error: error instanceof Error ? { message: error.message, stack: error.stack } : String(error),
        });
      }
      this.options.onOutcome?.(entry, { ok: false, code: toolError.code, cached: false, ms: performance.now() - started });
      throw toolError;
    }
  }

  private async run(entry: RegisteredOperation, rawParams: unknown, ctx: CallContext): Promise<ExecutionResult> {
    const { op } = entry;
    // Security: scopes are checked here, on the one path both dialects share, so no dialect can skip it
    // (the dialects refuse earlier from core/access.ts; this is the backstop if one forgets).
    if (!hasScope(ctx.caller, op.scope)) throw outOfScopeError(op);
    const params = rawParams === undefined || rawParams === null ? {} : rawParams;
    if (!entry.validateInput(params)) {
      throw new ToolError('INVALID_PARAMS', `Invalid parameters for ${op.mcpName}: ${describeErrors(entry.validateInput.errors)}.`);
    }

    const cache = this.options.cache;
    const cacheKey = op.cache && cache ? this.cacheKey(entry, params, ctx) : undefined;
    let fill: unknown;
    if (cacheKey && cache) {
      const lookup = await safe(() => cache.get(cacheKey), this.options.logger);
      if (lookup?.hit) return { result: lookup.value, cached: true };
      fill = lookup?.fill;
    }

    const result = await this.withTimeout(entry, params, ctx);

    if (cacheKey && cache && op.cache && fill !== undefined) {
      // The fill token proves no write to these tags landed while this read ran.
      await safe(() => cache.set(cacheKey, result, op.cache!.ttlMs, op.cache!.tags(params), fill), this.options.logger);
    }
    if (op.invalidates && cache) {
      const tags = op.invalidates(params, result);
      // Invalidation must finish before the reply leaves, so no caller reads stale data after a write returns.
      if (tags.length > 0) await safe(() => cache.invalidate(tags), this.options.logger);
    }
    return { result, cached: false };
  }

  private cacheKey(entry: RegisteredOperation, params: unknown, ctx: CallContext): string {
    const { op } = entry;
    // Security: the key carries the caller's scopes (and identity for per-caller results) so a
    // cached answer is never served to someone who could not have produced it.
    const scopes = [...ctx.caller.scopes].sort().join('+');
    const who = op.cache?.perCaller ? ctx.caller.id : `scopes:${scopes}`;
    return `${op.tool}:${op.operation}:${who}:${canonicalJson(params)}`;
  }

  private async withTimeout(entry: RegisteredOperation, params: unknown, ctx: CallContext): Promise<unknown> {
    const timeoutMs = entry.op.timeoutMs ?? this.options.defaultTimeoutMs;
    if (ctx.signal.aborted) throw new ToolError('CANCELLED', 'The request was cancelled.');
    // The handler's signal is made only when the handler reads it: most never do, and on Node 20
    // an AbortController costs more than a small call's whole handler. It is born aborted when the
    // call was stopped before the handler looked.
    let controller: AbortController | undefined;
    let stopped: { reason: unknown } | undefined;
    const abortHandler = (reason: unknown) => {
      if (stopped) return;
      stopped = { reason };
      controller?.abort(reason);
    };
    const handlerCtx: CallContext = {
      ...ctx,
      get signal() {
        if (!controller) {
          controller = new AbortController();
          if (stopped) controller.abort(stopped.reason);
        }
        return controller.signal;
      },
    };
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    // One promise settles the call early: the time limit or the caller going away. It is settled
    // before the handler's signal is aborted, so the handler's own abort error cannot win the race.
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new ToolError('TIMEOUT', `${entry.op.mcpName} did not finish within ${timeoutMs} ms and was stopped.`));
        abortHandler(new ToolError('TIMEOUT', 'timeout'));
      }, timeoutMs);
      onAbort = () => {
        reject(new ToolError('CANCELLED', 'The request was cancelled.'));
        abortHandler(ctx.signal.reason);
      };
      ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([entry.op.handler(params, handlerCtx), stop]);
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort!);
    }
  }
}

async function safe<T>(fn: () => Promise<T>, logger: Logger): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    // A cache outage degrades to "no cache"; it never fails the call.
    logger.warn('cache operation failed', { error: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

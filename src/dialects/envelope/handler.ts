import type { RequestHandler, Response } from 'express';
import type { Logger } from 'winston';
import type { Caller, Scope } from '../../core/caller.js';
import type { CallContext } from '../../core/context.js';
import { ToolError, toToolError, wireCode } from '../../core/errors.js';
import type { Executor, ExecutionResult } from '../../core/executor.js';
import type { Registry, RegisteredOperation } from '../../core/registry.js';
import { describeErrors } from '../../core/schema.js';
import { sendError } from '../../http/errorReply.js';
import { stateOf, type RequestState } from '../../http/requestState.js';
import { runBatch } from './batch.js';
import { envelopeReply } from './reply.js';
import { envelopeValidator, type EnvelopeCall, type EnvelopeRequest } from './schema.js';

export interface EnvelopeOptions {
  registry: Registry;
  executor: Executor;
  logger: Logger;
  batchMaxSize: number;
  batchConcurrency: number;
  /** OAuth step-up: the WWW-Authenticate value for a caller lacking a scope (undefined = none applies). */
  insufficientScopeChallenge?: (caller: Caller, needed: Scope) => string | undefined;
}

/** Envelope code for a tool error (the same code the MCP dialect shows). */
export function envelopeCode(error: ToolError): string {
  return wireCode(error.code);
}

/** Finds the operation an envelope call names, or says precisely which name is unknown. */
export function resolveCall(registry: Registry, call: EnvelopeCall) {
  if (!registry.hasTool(call.tool_name)) {
    throw new ToolError('UNKNOWN_TOOL', `Unknown tool "${call.tool_name}". Call discovery.list_tools to see the tools you may use.`);
  }
  const entry = registry.byEnvelope(call.tool_name, call.operation);
  const withheld = entry ? undefined : registry.withheldReason(call.tool_name, call.operation);
  if (withheld) throw new ToolError('FORBIDDEN', `${call.tool_name}.${call.operation} is switched off: ${withheld}.`);
  if (!entry) {
    throw new ToolError(
      'UNKNOWN_OPERATION',
      `Unknown operation "${call.operation}" for tool "${call.tool_name}". Call discovery.get_tool_documentation for its operations.`,
    );
  }
  return entry;
}

/** A signal that aborts when the client goes away before the reply is written. */
function disconnectSignal(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  return controller.signal;
}

/** The envelope dialect: validate the envelope, run one call or a batch, answer in kind. */
export function envelopeEndpoint(options: EnvelopeOptions): RequestHandler {
  const validate = envelopeValidator();

  return async function serveEnvelope(req, res) {
    const state = stateOf(res);
    const body = req.body as EnvelopeRequest;
    const inReplyTo = typeof body?.message_id === 'string' ? body.message_id : null;
    if (!validate(body)) {
      sendError(res, 'envelope', {
        status: 400,
        code: 'INVALID_REQUEST',
        message: `Invalid envelope: ${describeErrors(validate.errors, 'message')}.`,
        inReplyTo,
      });
      return;
    }
    const ctx = (): CallContext => ({
      caller: state.caller!,
      requestId: state.requestId,
      dialect: 'envelope',
      sessionId: body.metadata?.session_id,
      signal,
      logger: options.logger,
      progress: () => {},
    });
    const signal = disconnectSignal(res);
    const elapsed = () => performance.now() - state.startedAt;

    if (body.content.batch) {
      await serveBatch(body, body.content.batch, options, ctx(), state, res, elapsed);
      return;
    }

    const call = body.content as EnvelopeCall;
    state.tool = call.tool_name;
    state.operation = call.operation;
    let outcome: ExecutionResult;
    let entry: RegisteredOperation | undefined;
    try {
      entry = resolveCall(options.registry, call);
      outcome = await options.executor.execute(entry, call.parameters ?? {}, ctx());
    } catch (error) {
      const toolError = toToolError(error);
      const challenge =
        entry && toolError.code === 'FORBIDDEN' ? options.insufficientScopeChallenge?.(state.caller!, entry.op.scope) : undefined;
      const headers = challenge ? { 'WWW-Authenticate': challenge } : undefined;
      sendError(
        res,
        'envelope',
        { status: toolError.status, code: envelopeCode(toolError), message: toolError.message, inReplyTo, headers },
        body.metadata,
      );
      return;
    }
    state.outcome = 'ok';
    res.json(envelopeReply(body, outcome.result, elapsed(), outcome.cached ? { _cached: true } : {}));
  };
}

async function serveBatch(
  body: EnvelopeRequest,
  calls: EnvelopeCall[],
  options: EnvelopeOptions,
  ctx: CallContext,
  state: RequestState,
  res: Response,
  elapsed: () => number,
): Promise<void> {
  state.tool = 'batch';
  state.batchSize = calls.length;
  if (calls.length > options.batchMaxSize) {
    sendError(
      res,
      'envelope',
      {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: `A batch may hold at most ${options.batchMaxSize} operations; this one has ${calls.length}. Split it into smaller batches.`,
        inReplyTo: body.message_id,
      },
      body.metadata,
    );
    return;
  }
  const results = await runBatch(
    calls,
    options.batchConcurrency,
    async (call, index) => {
      const id = call.id ?? index;
      try {
        const entry = resolveCall(options.registry, call);
        const outcome = await options.executor.execute(entry, call.parameters ?? {}, ctx);
        return { id, status: 'success' as const, result: outcome.result, ...(outcome.cached ? { _cached: true } : {}) };
      } catch (error) {
        const toolError = toToolError(error);
        return { id, status: 'error' as const, error: { code: envelopeCode(toolError), message: toolError.message } };
      }
    },
    (done) => ctx.progress({ progress: done, total: calls.length }),
  );
  state.outcome = results.every((r) => r.status === 'success') ? 'ok' : 'partial';
  res.json(envelopeReply(body, { batch_size: calls.length, results }, elapsed()));
}

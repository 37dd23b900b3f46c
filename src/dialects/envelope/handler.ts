import type { RequestHandler, Response } from 'express';
import type { Logger } from 'winston';
import { outOfScopeError, type AccessSources, type CallDecision } from '../../core/access.js';
import type { CallContext } from '../../core/context.js';
import { ToolError, toToolError, wireCode } from '../../core/errors.js';
import type { Executor, ExecutionResult } from '../../core/executor.js';
import type { RegisteredOperation } from '../../core/registry.js';
import { describeErrors } from '../../core/schema.js';
import { accessOf } from '../../http/accessDecision.js';
import { sendError } from '../../http/errorReply.js';
import { stateOf, type RequestState } from '../../http/requestState.js';
import { runBatch } from './batch.js';
import { envelopeReply } from './reply.js';
import { envelopeValidator, type EnvelopeCall, type EnvelopeRequest } from './schema.js';

export interface EnvelopeOptions {
  /** What a call's access decision is made from (core/access.ts). */
  access: AccessSources;
  executor: Executor;
  logger: Logger;
  batchMaxSize: number;
  batchConcurrency: number;
}

/** Envelope code for a tool error (the same code the MCP dialect shows). */
export function envelopeCode(error: ToolError): string {
  return wireCode(error.code);
}

/**
 * The envelope rendering of an access decision (core/access.ts): the operation to run, or the
 * ToolError that says precisely which name is unknown, what is switched off, or which scope is missing.
 */
export function resolveCall(access: CallDecision, call: EnvelopeCall): RegisteredOperation {
  switch (access.kind) {
    case 'allowed':
      return access.entry;
    case 'unknown':
      if (access.part === 'tool')
        throw new ToolError('UNKNOWN_TOOL', `Unknown tool "${call.tool_name}". Call discovery.list_tools to see the tools you may use.`);
      throw new ToolError(
        'UNKNOWN_OPERATION',
        `Unknown operation "${call.operation}" for tool "${call.tool_name}". Call discovery.get_tool_documentation for its operations.`,
      );
    case 'withheld':
      throw new ToolError('FORBIDDEN', `${call.tool_name}.${call.operation} is switched off: ${access.reason}.`);
    case 'outOfScope':
      throw outOfScopeError(access.entry.op);
  }
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
    const access = accessOf(state, options.access, { kind: 'envelope_call', tool: call.tool_name, operation: call.operation });
    let outcome: ExecutionResult;
    try {
      outcome = await options.executor.execute(resolveCall(access, call), call.parameters ?? {}, ctx());
    } catch (error) {
      const toolError = toToolError(error);
      // An OAuth caller lacking the scope is told how to re-authorize (step-up).
      const challenge = access.kind === 'outOfScope' ? access.challenge : undefined;
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
        const access = accessOf(state, options.access, { kind: 'envelope_call', tool: call.tool_name, operation: call.operation });
        const outcome = await options.executor.execute(resolveCall(access, call), call.parameters ?? {}, ctx);
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

import type { RequestHandler } from 'express';
import type { Logger } from 'winston';
import { stateOf } from './requestState.js';

/**
 * One line per request when the response finishes. Security: never tokens, parameter values or
 * file contents — only who, what and how it went.
 */
export function accessLog(logger: Logger, onFinish?: (entry: AccessEntry) => void): RequestHandler {
  return function logRequest(req, res, next) {
    res.on('close', () => {
      const state = stateOf(res);
      if (!state) return;
      const entry: AccessEntry = {
        requestId: state.requestId,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        dialect: state.dialect,
        caller: state.caller?.name,
        tool: state.tool,
        operation: state.operation,
        outcome: state.outcome ?? (res.statusCode < 400 ? 'ok' : `http_${res.statusCode}`),
        batchSize: state.batchSize,
        durationMs: Math.round((performance.now() - state.startedAt) * 10) / 10,
        aborted: !res.writableFinished,
      };
      onFinish?.(entry);
      // winston formats a message before its transports filter by level; skip the work when off.
      if (logger.isInfoEnabled()) logger.info('request', entry);
    });
    next();
  };
}

export interface AccessEntry {
  requestId: string;
  method: string;
  path: string;
  status: number;
  dialect?: string;
  caller?: string;
  tool?: string;
  operation?: string;
  outcome: string;
  batchSize?: number;
  durationMs: number;
  aborted: boolean;
}

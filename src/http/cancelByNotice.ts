import type { RequestHandler, Response } from 'express';
import { stateOf } from './requestState.js';

/**
 * Makes `notifications/cancelled` work for 2025-era MCP clients. The server is stateless, so the
 * notification arrives on its own POST and the SDK has no request to cancel; the request it names
 * is still running on another POST whose SSE stream the client keeps open. We remember in-flight
 * requests by (caller, JSON-RPC id) and close the named one's stream: the MCP handler sees the
 * disconnect and aborts the tool's `ctx.signal`, exactly as when a client hangs up.
 * (2026-era clients abort the request's own stream; that needs nothing from us.)
 */
export function cancelByNotice(): RequestHandler {
  const inFlight = new Map<string, Set<Response>>();

  return function trackOrCancel(req, res, next) {
    const state = stateOf(res);
    const callerId = state?.caller?.id;
    const facts = state?.facts;
    if (req.method !== 'POST' || facts?.dialect !== 'mcp' || facts.batch || !callerId) return next();

    if (facts.methods[0] === 'notifications/cancelled') {
      const requestId = facts.cancels;
      if (requestId !== undefined) {
        const targets = inFlight.get(keyOf(callerId, requestId));
        // Security: only the caller that sent a request can cancel it (the key holds its identity).
        // Two in-flight calls with the same id from one credential are ambiguous: cancel neither
        // rather than risk stopping the wrong client's work.
        if (targets?.size === 1) {
          const [target] = targets;
          target!.destroy();
        }
      }
      return next();
    }

    if (facts.jsonRpcId !== null) {
      const key = keyOf(callerId, facts.jsonRpcId);
      const set = inFlight.get(key) ?? new Set<Response>();
      set.add(res);
      inFlight.set(key, set);
      res.once('close', () => {
        set.delete(res);
        if (set.size === 0 && inFlight.get(key) === set) inFlight.delete(key);
      });
    }
    next();
  };
}

function keyOf(callerId: string, id: string | number): string {
  // The type is part of the id: "1" and 1 are different JSON-RPC requests.
  return `${callerId}\u0000${typeof id}\u0000${id}`;
}

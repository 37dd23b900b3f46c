import type { RequestHandler } from 'express';
import type { AccessSources } from '../../core/access.js';
import { accessOf } from '../../http/accessDecision.js';
import { sendError } from '../../http/errorReply.js';
import { replyIds } from '../../http/requestFacts.js';
import { stateOf } from '../../http/requestState.js';

const RESOURCE_METHODS = new Set(['resources/list', 'resources/templates/list', 'resources/read']);

/**
 * OAUTH_MCP_INSUFFICIENT_SCOPE=http_403: a single MCP `tools/call` for an operation the OAuth
 * token lacks the scope for is answered at the HTTP level — 403 with
 * `WWW-Authenticate: Bearer error="insufficient_scope", …` — which spec-following clients (the
 * official SDK transport) treat as a step-up: re-authorize with the larger scope and retry.
 * The resource methods (`resources/list`, `resources/templates/list`, `resources/read`), which need
 * the read scope, are answered the same way. Batches and everything else fall through to the
 * dialect (which answers with a tool result, or a JSON-RPC error for resources).
 * This stage only renders the access decision (core/access.ts); the one it reads is kept for the dialect.
 */
export function mcpStepUp(access: AccessSources): RequestHandler {
  return function requireToolScope(_req, res, next) {
    const state = stateOf(res);
    // One message only: a batch falls through to the dialect.
    const facts = state.facts?.dialect === 'mcp' && !state.facts.batch && state.caller ? state.facts : undefined;
    const method = facts?.methods[0];
    const call = method === 'tools/call' ? facts?.calls[0] : undefined;
    const decision = call
      ? accessOf(state, access, { kind: 'mcp_tool', name: call.entry?.op.mcpName ?? call.tool })
      : method !== undefined && RESOURCE_METHODS.has(method)
        ? accessOf(state, access, { kind: 'resources' })
        : undefined;
    if (decision?.kind !== 'outOfScope' || !decision.challenge) return next();
    // Out of scope for a tool call: the operation the facts found is the one decided on.
    const entry = call?.entry;
    if (entry) {
      state.tool = entry.op.tool;
      state.operation = entry.op.operation;
    }
    sendError(res, 'mcp', {
      status: 403,
      code: 'FORBIDDEN',
      message: `${entry ? entry.op.mcpName : method} needs the "${decision.needed}" permission, which this access token does not grant. Re-authorize with the scope named in WWW-Authenticate.`,
      headers: { 'WWW-Authenticate': decision.challenge },
      jsonRpcId: replyIds(facts).jsonRpcId,
    });
  };
}

import type { RequestHandler } from 'express';
import type { Caller, Scope } from '../../core/caller.js';
import type { Registry } from '../../core/registry.js';
import type { ResourceTable } from '../../core/resourceTable.js';
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
 */
export function mcpStepUp(
  _registry: Registry,
  challengeFor: (caller: Caller, needed: Scope) => string | undefined,
  resources?: ResourceTable,
): RequestHandler {
  return function requireToolScope(_req, res, next) {
    const state = stateOf(res);
    // One message only: a batch falls through to the dialect.
    const facts = state.facts?.dialect === 'mcp' && !state.facts.batch && state.caller ? state.facts : undefined;
    const method = facts?.methods[0];
    const entry = method === 'tools/call' ? facts?.calls[0]?.entry : undefined;
    const resource = method !== undefined && RESOURCE_METHODS.has(method) && resources && !resources.empty;
    const needed: Scope | undefined = entry ? entry.op.scope : resource ? 'read' : undefined;
    const challenge = needed ? challengeFor(state.caller!, needed) : undefined;
    if (!needed || !challenge) return next();
    if (entry) {
      state.tool = entry.op.tool;
      state.operation = entry.op.operation;
    }
    sendError(res, 'mcp', {
      status: 403,
      code: 'FORBIDDEN',
      message: `${entry ? entry.op.mcpName : method} needs the "${needed}" permission, which this access token does not grant. Re-authorize with the scope named in WWW-Authenticate.`,
      headers: { 'WWW-Authenticate': challenge },
      jsonRpcId: replyIds(facts).jsonRpcId,
    });
  };
}

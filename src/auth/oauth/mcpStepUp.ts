import type { RequestHandler } from 'express';
import type { Caller, Scope } from '../../core/caller.js';
import type { Registry } from '../../core/registry.js';
import { jsonRpcIdOf } from '../../http/authenticate.js';
import { sendError } from '../../http/errorReply.js';
import { stateOf } from '../../http/requestState.js';

function calledToolName(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { method, params } = body as { method?: unknown; params?: { name?: unknown } };
  return method === 'tools/call' && typeof params?.name === 'string' ? params.name : undefined;
}

/**
 * OAUTH_MCP_INSUFFICIENT_SCOPE=http_403: a single MCP `tools/call` for an operation the OAuth
 * token lacks the scope for is answered at the HTTP level — 403 with
 * `WWW-Authenticate: Bearer error="insufficient_scope", …` — which spec-following clients (the
 * official SDK transport) treat as a step-up: re-authorize with the larger scope and retry.
 * Batches and everything else fall through to the dialect (which answers with a tool result).
 */
export function mcpStepUp(registry: Registry, challengeFor: (caller: Caller, needed: Scope) => string | undefined): RequestHandler {
  return function requireToolScope(req, res, next) {
    const state = stateOf(res);
    const name = state.dialect === 'mcp' && state.caller ? calledToolName(req.body) : undefined;
    const entry = name === undefined ? undefined : registry.byMcpName(name);
    const challenge = entry ? challengeFor(state.caller!, entry.op.scope) : undefined;
    if (!entry || !challenge) return next();
    state.tool = entry.op.tool;
    state.operation = entry.op.operation;
    sendError(res, 'mcp', {
      status: 403,
      code: 'FORBIDDEN',
      message: `${name} needs the "${entry.op.scope}" permission, which this access token does not grant. Re-authorize with the scope named in WWW-Authenticate.`,
      headers: { 'WWW-Authenticate': challenge },
      jsonRpcId: jsonRpcIdOf(req.body),
    });
  };
}

import type { RequestHandler } from 'express';
import type { Caller, Scope } from '../../core/caller.js';
import type { Registry } from '../../core/registry.js';
import type { ResourceTable } from '../../core/resourceTable.js';
import { jsonRpcIdOf } from '../../http/authenticate.js';
import { sendError } from '../../http/errorReply.js';
import { stateOf } from '../../http/requestState.js';

const RESOURCE_METHODS = new Set(['resources/list', 'resources/templates/list', 'resources/read']);

function methodAndTool(body: unknown): { method?: string; tool?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const { method, params } = body as { method?: unknown; params?: { name?: unknown } };
  if (typeof method !== 'string') return {};
  return { method, tool: method === 'tools/call' && typeof params?.name === 'string' ? params.name : undefined };
}

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
  registry: Registry,
  challengeFor: (caller: Caller, needed: Scope) => string | undefined,
  resources?: ResourceTable,
): RequestHandler {
  return function requireToolScope(req, res, next) {
    const state = stateOf(res);
    const { method, tool } = state.dialect === 'mcp' && state.caller ? methodAndTool(req.body) : {};
    const entry = tool === undefined ? undefined : registry.byMcpName(tool);
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
      message: `${entry ? tool : method} needs the "${needed}" permission, which this access token does not grant. Re-authorize with the scope named in WWW-Authenticate.`,
      headers: { 'WWW-Authenticate': challenge },
      jsonRpcId: jsonRpcIdOf(req.body),
    });
  };
}

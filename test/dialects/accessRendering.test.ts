import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insufficientScopeChallenge } from '../../src/auth/oauth/challenge.js';
import { decideAccess, type AccessSources, type AccessTarget, type AccessDecision } from '../../src/core/access.js';
import type { Caller, Scope } from '../../src/core/caller.js';
import { ResourceTable } from '../../src/core/resourceTable.js';
import { createFileSystemTool } from '../../src/tools/fileSystem/index.js';
import { startAuthorizationServer, type TestAuthorizationServer } from '../auth/oidcProvider.js';
import { rpc, send, toolsCall, type WireAnswer } from '../auth/wire.js';
import { envelope, READER_KEY, startServer, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { createTestTool } from '../helpers/testTools.js';

/**
 * Each dialect renders the one access decision (core/access.ts): for every kind of caller and
 * target, the decision is computed here from the server's own registry and resources, and the
 * reply on the wire must be that decision's rendering (the exact challenge string included).
 */

const WRITER_KEY = 'writer-key-0123456789';
const V = { 'mcp-protocol-version': '2025-06-18' };

let as: TestAuthorizationServer;
beforeAll(async () => {
  as = await startAuthorizationServer();
});
afterAll(async () => as?.close());

async function start(env: Record<string, string>): Promise<{ server: TestServer; sources: AccessSources }> {
  const server = await startServer({
    env: {
      AUTH_MODE: 'both',
      OAUTH_ISSUER: as.issuer,
      MCP_API_KEYS: `${TEST_KEYS},writer:${WRITER_KEY}:write`,
      FS_READ_ONLY: 'true',
      ...env,
    },
    toolFactories: [createTestTool, createFileSystemTool],
    publicUrl: true,
  });
  const { oauth } = server.config;
  const sources: AccessSources = {
    registry: server.built.registry,
    resources: new ResourceTable(server.built.modules.flatMap((m) => m.resources ?? [])),
    stepUp: insufficientScopeChallenge({
      resourceMetadataUrl: oauth.resourceMetadataUrl,
      scopeNames: { read: oauth.scopeRead, write: oauth.scopeWrite, exec: oauth.scopeExec },
    }),
  };
  return { server, sources };
}

/** A credential as the client sends it, and the caller the server makes of it. */
interface Credential {
  label: string;
  token: (server: TestServer) => Promise<string>;
  caller: Caller;
}

function key(label: string, secret: string, ...scopes: Scope[]): Credential {
  return { label, token: async () => secret, caller: { id: label, name: label, scopes: new Set(scopes), via: 'api_key' } };
}
function oauthToken(label: string, ...scopes: Scope[]): Credential {
  return {
    label,
    token: (server) => as.token({ resource: server.mcpUrl, scope: scopes.map((s) => `mcp:${s}`).join(' ') }),
    caller: { id: label, name: label, scopes: new Set(scopes), via: 'oauth' },
  };
}
const CREDENTIALS = [
  key('read-only key', READER_KEY, 'read'),
  key('write-only key', WRITER_KEY, 'write'),
  oauthToken('read-only token', 'read'),
  oauthToken('read+write token', 'read', 'write'),
  oauthToken('write-only token', 'write'),
];

const TOOLS: Array<{ name: string; args: Record<string, unknown>; tool: string; operation: string; params: Record<string, unknown> }> = [
  { name: 'test_echo', args: { text: 'hi' }, tool: 'test', operation: 'echo', params: { text: 'hi' } },
  { name: 'test_bump', args: {}, tool: 'test', operation: 'bump', params: {} },
  {
    name: 'write_file',
    args: { path: 'x.txt', content: 'x' },
    tool: 'file_system',
    operation: 'write_file',
    params: { path: 'x.txt', content: 'x' },
  },
  { name: 'no_such_tool', args: {}, tool: 'no_such', operation: 'echo', params: {} },
  { name: 'test_nope', args: {}, tool: 'test', operation: 'nope', params: {} },
];

function decide(sources: AccessSources, who: Credential, target: AccessTarget): AccessDecision {
  return decideAccess(sources, who.caller, target);
}

/** The MCP dialect's rendering of a tools/call decision. */
function expectMcpToolRendering(decision: AccessDecision, answer: WireAnswer, name: string) {
  expect(answer.status).toBe(200);
  if (decision.kind === 'allowed') {
    expect(answer.body.result.isError).toBeUndefined();
    expect(answer.body.result.structuredContent).toEqual(expect.any(Object));
  } else if (decision.kind === 'outOfScope' && decision.challenge) {
    expect(answer.body.result.isError).toBe(true);
    expect(answer.body.result.content[0].text).toMatch(new RegExp(`^FORBIDDEN: ${name} needs the "${decision.needed}" permission`));
    expect(answer.body.result._meta['mcp/www_authenticate']).toEqual([decision.challenge]);
  } else if (decision.kind === 'withheld') {
    expect(answer.body.error).toMatchObject({
      code: -32602,
      message: `The tool ${name} is switched off: ${decision.reason}. Call tools/list to see the available tools.`,
    });
  } else {
    // Unknown, or out of scope for a caller that cannot step up: not in its tools/list, so unknown.
    expect(answer.body.error).toMatchObject({
      code: -32602,
      message: `Unknown tool: ${name}. Call tools/list to see the available tools.`,
    });
  }
}

/** The MCP dialect's rendering of a resource-method decision. */
function expectMcpResourceRendering(decision: AccessDecision, answer: WireAnswer) {
  expect(answer.status).toBe(200);
  if (decision.kind === 'allowed') {
    expect(answer.body.result.resources).toEqual(expect.any(Array));
    return;
  }
  expect(decision.kind).toBe('outOfScope');
  expect(answer.body.error.code).toBe(-32003);
  expect(answer.body.error.message).toMatch(/^FORBIDDEN: resources need the "read" permission/);
  const challenge = decision.kind === 'outOfScope' ? decision.challenge : undefined;
  if (challenge) expect(answer.body.error.data).toEqual({ 'mcp/www_authenticate': [challenge] });
  else expect(answer.body.error.data).toBeUndefined();
}

/** The envelope's rendering of a decision: HTTP status, code, message, and the challenge header. */
function expectEnvelopeRendering(decision: AccessDecision, answer: WireAnswer, tool: string, operation: string) {
  const code = answer.body.content.code;
  switch (decision.kind) {
    case 'allowed':
      expect(answer.status).toBe(200);
      expect(answer.body.message_type).toBe('response');
      break;
    case 'unknown':
      expect(answer.status).toBe(404);
      expect(code).toBe(decision.part === 'tool' ? 'UNKNOWN_TOOL' : 'UNKNOWN_OPERATION');
      break;
    case 'withheld':
      expect(answer.status).toBe(403);
      expect(code).toBe('FORBIDDEN');
      expect(answer.body.content.error).toBe(`${tool}.${operation} is switched off: ${decision.reason}.`);
      break;
    case 'outOfScope':
      expect(answer.status).toBe(403);
      expect(code).toBe('FORBIDDEN');
      expect(answer.body.content.error).toBe(
        `${tool}.${operation} needs the "${decision.needed}" scope, which this credential does not have.`,
      );
      break;
  }
  const challenge = decision.kind === 'outOfScope' ? decision.challenge : undefined;
  expect(answer.headers.get('www-authenticate')).toBe(challenge ?? null);
}

describe.each(['engine', 'sdk'])('MCP dialect renders the decision (MCP_ENGINE=%s)', (engine) => {
  let server: TestServer;
  let sources: AccessSources;
  beforeAll(async () => {
    ({ server, sources } = await start({ MCP_ENGINE: engine }));
  });
  afterAll(async () => server?.close());

  it.each(CREDENTIALS)('tools/call, $label', async (who) => {
    const token = await who.token(server);
    const kinds = new Set<string>();
    for (const [id, t] of TOOLS.entries()) {
      const decision = decide(sources, who, { kind: 'mcp_tool', name: t.name });
      kinds.add(decision.kind);
      expectMcpToolRendering(decision, await rpc(server.mcpUrl, toolsCall(id, t.name, t.args), token, V), t.name);
    }
    // Every credential meets an allowed or out-of-scope call, a withheld one and an unknown one.
    expect(kinds).toContain('withheld');
    expect(kinds).toContain('unknown');
  });

  it.each(CREDENTIALS)('resources/list, $label', async (who) => {
    const decision = decide(sources, who, { kind: 'resources' });
    const answer = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'resources/list', params: {} }, await who.token(server), V);
    expectMcpResourceRendering(decision, answer);
  });
});

describe('envelope dialect renders the decision', () => {
  let server: TestServer;
  let sources: AccessSources;
  beforeAll(async () => {
    ({ server, sources } = await start({}));
  });
  afterAll(async () => server?.close());

  it.each(CREDENTIALS)('single calls, $label', async (who) => {
    const token = await who.token(server);
    for (const t of TOOLS) {
      const decision = decide(sources, who, { kind: 'envelope_call', tool: t.tool, operation: t.operation });
      const answer = await send(server.mcpUrl, {
        body: envelope(t.tool, t.operation, t.params),
        headers: { authorization: `Bearer ${token}` },
      });
      expectEnvelopeRendering(decision, answer, t.tool, t.operation);
    }
  });

  it.each(CREDENTIALS)('batch items, $label', async (who) => {
    const batch = TOOLS.map((t, i) => ({ id: `c${i}`, tool_name: t.tool, operation: t.operation, parameters: t.params }));
    const request = { ...envelope('test', 'echo'), content: { batch } };
    const answer = await send(server.mcpUrl, { body: request, headers: { authorization: `Bearer ${await who.token(server)}` } });
    expect(answer.status).toBe(200);
    // A batch answers every item in its results; a challenge header would speak for the whole batch, so there is none.
    expect(answer.headers.get('www-authenticate')).toBeNull();
    for (const [i, t] of TOOLS.entries()) {
      const decision = decide(sources, who, { kind: 'envelope_call', tool: t.tool, operation: t.operation });
      const item = answer.body.content.results[i];
      expect(item.id).toBe(`c${i}`);
      if (decision.kind === 'allowed') expect(item.status).toBe('success');
      else {
        const code = decision.kind === 'unknown' ? (decision.part === 'tool' ? 'UNKNOWN_TOOL' : 'UNKNOWN_OPERATION') : 'FORBIDDEN';
        expect(item).toMatchObject({ status: 'error', error: { code } });
      }
    }
  });
});

describe('OAUTH_MCP_INSUFFICIENT_SCOPE=http_403 renders a step-up at the HTTP level, and passes every other decision on', () => {
  let server: TestServer;
  let sources: AccessSources;
  beforeAll(async () => {
    ({ server, sources } = await start({ OAUTH_MCP_INSUFFICIENT_SCOPE: 'http_403' }));
  });
  afterAll(async () => server?.close());

  function expectStepUp(decision: AccessDecision, answer: WireAnswer, id: number): boolean {
    if (decision.kind !== 'outOfScope' || !decision.challenge) return false;
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ jsonrpc: '2.0', id, error: { code: -32003 } });
    expect(answer.headers.get('www-authenticate')).toBe(decision.challenge);
    return true;
  }

  it.each(CREDENTIALS)('tools/call and resources/list, $label', async (who) => {
    const token = await who.token(server);
    for (const [id, t] of TOOLS.entries()) {
      const decision = decide(sources, who, { kind: 'mcp_tool', name: t.name });
      const answer = await rpc(server.mcpUrl, toolsCall(id, t.name, t.args), token, V);
      if (!expectStepUp(decision, answer, id)) expectMcpToolRendering(decision, answer, t.name);
    }
    const decision = decide(sources, who, { kind: 'resources' });
    const answer = await rpc(server.mcpUrl, { jsonrpc: '2.0', id: 99, method: 'resources/list', params: {} }, token, V);
    if (!expectStepUp(decision, answer, 99)) expectMcpResourceRendering(decision, answer);
  });
});

describe('conformance fixture tools are served before the decision is asked', () => {
  let server: TestServer;
  let sources: AccessSources;
  beforeAll(async () => {
    ({ server, sources } = await start({ MCP_CONFORMANCE_FIXTURES: 'true' }));
  });
  afterAll(async () => server?.close());

  it('a read-only key calls test_simple_text although the registry does not know it', async () => {
    const who = CREDENTIALS[0]!;
    expect(decide(sources, who, { kind: 'mcp_tool', name: 'test_simple_text' })).toEqual({ kind: 'unknown', part: 'tool' });
    const answer = await rpc(server.mcpUrl, toolsCall(1, 'test_simple_text'), await who.token(server), V);
    expect(answer.body.result.content[0]).toMatchObject({ type: 'text' });
    expect(answer.body.result.isError).toBeFalsy();
  });
});

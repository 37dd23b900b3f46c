import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insufficientScopeChallenge } from '../../src/auth/oauth/challenge.js';
import { decideAccess, type AccessSources } from '../../src/core/access.js';
import type { Caller, Scope } from '../../src/core/caller.js';
import { ResourceTable } from '../../src/core/resourceTable.js';
import { FIXTURE_TOOLS } from '../../src/dialects/mcp/conformance/fixtureTools.js';
import { accessOf } from '../../src/http/accessDecision.js';
import type { RequestState } from '../../src/http/requestState.js';
import { createFileSystemTool } from '../../src/tools/fileSystem/index.js';
import { createToolHarness, type ToolHarness } from '../helpers/toolHarness.js';
import { createTestTool } from '../helpers/testTools.js';

let harness: ToolHarness;
let plain: AccessSources;
let oauth: AccessSources;
const METADATA = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';

beforeAll(async () => {
  // FS_READ_ONLY withholds the file system's writes; the file system also brings the workspace resources.
  harness = await createToolHarness([createTestTool, createFileSystemTool], { FS_READ_ONLY: 'true' });
  const resources = new ResourceTable(harness.module.resources ?? []);
  plain = { registry: harness.registry, resources };
  oauth = {
    ...plain,
    stepUp: insufficientScopeChallenge({
      resourceMetadataUrl: METADATA,
      scopeNames: { read: 'mcp:read', write: 'mcp:write', exec: 'mcp:exec' },
    }),
  };
});
afterAll(async () => harness.close());

function caller(via: Caller['via'], ...scopes: Scope[]): Caller {
  return { id: `${via}:x`, name: 'x', scopes: new Set(scopes), via };
}

describe('decideAccess: MCP tool names', () => {
  it('allows an operation the caller has the scope for, with its registry entry', () => {
    const decision = decideAccess(plain, caller('api_key', 'read'), { kind: 'mcp_tool', name: 'test_echo' });
    expect(decision).toEqual({ kind: 'allowed', entry: harness.registry.byMcpName('test_echo') });
  });

  it('puts a read-only key calling a write operation out of scope, with no challenge (an API key cannot step up)', () => {
    const decision = decideAccess(oauth, caller('api_key', 'read'), { kind: 'mcp_tool', name: 'test_bump' });
    expect(decision).toEqual({ kind: 'outOfScope', needed: 'write', entry: harness.registry.byMcpName('test_bump') });
  });

  it('gives an OAuth caller without the scope the step-up challenge for held + needed scopes', () => {
    const decision = decideAccess(oauth, caller('oauth', 'read'), { kind: 'mcp_tool', name: 'test_bump' });
    expect(decision.kind).toBe('outOfScope');
    if (decision.kind !== 'outOfScope') return;
    expect(decision.needed).toBe('write');
    expect(decision.challenge).toMatch(/^Bearer error="insufficient_scope", scope="mcp:read mcp:write", resource_metadata="/);
    expect(decision.challenge).toContain(METADATA);
  });

  it('allows an OAuth caller holding the scope (no challenge)', () => {
    const decision = decideAccess(oauth, caller('oauth', 'read', 'write'), { kind: 'mcp_tool', name: 'test_bump' });
    expect(decision.kind).toBe('allowed');
  });

  it('offers no step-up when OAuth is off, even to an OAuth-shaped caller', () => {
    const decision = decideAccess(plain, caller('oauth', 'read'), { kind: 'mcp_tool', name: 'test_bump' });
    expect(decision).toEqual({ kind: 'outOfScope', needed: 'write', entry: harness.registry.byMcpName('test_bump') });
  });

  // Security: write does not imply read, so a write-only token cannot read.
  it('does not let a write-only caller run a read operation', () => {
    const decision = decideAccess(oauth, caller('oauth', 'write'), { kind: 'mcp_tool', name: 'test_echo' });
    expect(decision).toMatchObject({
      kind: 'outOfScope',
      needed: 'read',
      challenge: expect.stringContaining('scope="mcp:read mcp:write"'),
    });
  });

  it('names a withheld operation with the reason configuration gave, whatever the caller holds', () => {
    for (const who of [caller('api_key', 'read', 'write'), caller('api_key', 'read'), caller('oauth', 'read')]) {
      expect(decideAccess(oauth, who, { kind: 'mcp_tool', name: 'write_file' })).toEqual({
        kind: 'withheld',
        reason: "this server's workspace is read-only (FS_READ_ONLY=true)",
      });
    }
  });

  it('calls a name nobody serves unknown', () => {
    expect(decideAccess(oauth, caller('none', 'read', 'write', 'exec'), { kind: 'mcp_tool', name: 'no_such_tool' })).toEqual({
      kind: 'unknown',
      part: 'tool',
    });
  });

  it('never claims a conformance fixture tool (the MCP dialect serves those before it asks)', () => {
    for (const { name } of FIXTURE_TOOLS) {
      expect(decideAccess(oauth, caller('none', 'read', 'write', 'exec'), { kind: 'mcp_tool', name }), name).toEqual({
        kind: 'unknown',
        part: 'tool',
      });
    }
  });
});

describe('decideAccess: envelope calls', () => {
  const call = (tool: string, operation: string) => ({ kind: 'envelope_call' as const, tool, operation });

  it('allows, or puts out of scope, the same operations as their MCP names', () => {
    expect(decideAccess(plain, caller('api_key', 'read'), call('test', 'echo'))).toEqual({
      kind: 'allowed',
      entry: harness.registry.byEnvelope('test', 'echo'),
    });
    expect(decideAccess(plain, caller('api_key', 'read'), call('test', 'bump'))).toEqual({
      kind: 'outOfScope',
      needed: 'write',
      entry: harness.registry.byEnvelope('test', 'bump'),
    });
    expect(decideAccess(oauth, caller('oauth', 'read'), call('test', 'bump'))).toMatchObject({
      kind: 'outOfScope',
      challenge: expect.any(String),
    });
  });

  it('tells an unknown tool from an unknown operation of a known tool', () => {
    expect(decideAccess(plain, caller('api_key', 'read'), call('nope', 'echo'))).toEqual({ kind: 'unknown', part: 'tool' });
    expect(decideAccess(plain, caller('api_key', 'read'), call('test', 'nope'))).toEqual({ kind: 'unknown', part: 'operation' });
  });

  it('names a withheld operation of a served tool', () => {
    expect(decideAccess(plain, caller('api_key', 'read'), call('file_system', 'write_file'))).toEqual({
      kind: 'withheld',
      reason: "this server's workspace is read-only (FS_READ_ONLY=true)",
    });
  });
});

describe('decideAccess: resources', () => {
  it('needs the read scope', () => {
    expect(decideAccess(oauth, caller('oauth', 'read'), { kind: 'resources' })).toEqual({ kind: 'allowed' });
    expect(decideAccess(plain, caller('api_key', 'write'), { kind: 'resources' })).toEqual({ kind: 'outOfScope', needed: 'read' });
    expect(decideAccess(oauth, caller('oauth', 'write'), { kind: 'resources' })).toMatchObject({
      kind: 'outOfScope',
      needed: 'read',
      challenge: expect.stringContaining('scope="mcp:read mcp:write"'),
    });
  });

  it('is unknown when the server has no resources', () => {
    expect(decideAccess({ registry: harness.registry }, caller('none', 'read'), { kind: 'resources' })).toEqual({
      kind: 'unknown',
      part: 'tool',
    });
  });
});

describe('accessOf: decided once per request', () => {
  const state = (who: Caller): RequestState => ({ requestId: 'r', startedAt: 0, caller: who });

  it('keeps the decision, so a later stage reads the very same value', () => {
    const s = state(caller('api_key', 'read'));
    const first = accessOf(s, plain, { kind: 'mcp_tool', name: 'test_bump' });
    expect(accessOf(s, plain, { kind: 'mcp_tool', name: 'test_bump' })).toBe(first);
  });

  // Security: a kept decision must not answer for another target (a batch names several).
  it('decides afresh for another target', () => {
    const s = state(caller('api_key', 'read'));
    expect(accessOf(s, plain, { kind: 'mcp_tool', name: 'test_echo' }).kind).toBe('allowed');
    expect(accessOf(s, plain, { kind: 'mcp_tool', name: 'test_bump' }).kind).toBe('outOfScope');
    expect(accessOf(s, plain, { kind: 'envelope_call', tool: 'test', operation: 'bump' }).kind).toBe('outOfScope');
    expect(accessOf(s, plain, { kind: 'resources' }).kind).toBe('allowed');
  });

  // Security: nor for another caller.
  it('decides afresh when the caller is not the one it decided for', () => {
    const s = state(caller('api_key', 'read', 'write'));
    expect(accessOf(s, plain, { kind: 'mcp_tool', name: 'test_bump' }).kind).toBe('allowed');
    s.caller = caller('api_key', 'read');
    expect(accessOf(s, plain, { kind: 'mcp_tool', name: 'test_bump' }).kind).toBe('outOfScope');
  });

  it('refuses to decide before authentication', () => {
    expect(() => accessOf({ requestId: 'r', startedAt: 0 }, plain, { kind: 'resources' })).toThrow(/before authentication/);
  });
});

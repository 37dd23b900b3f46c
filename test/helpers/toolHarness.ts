import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config, type Env } from '../../src/config/index.js';
import type { Caller, Scope } from '../../src/core/caller.js';
import type { CallContext, ProgressUpdate } from '../../src/core/context.js';
import { Executor } from '../../src/core/executor.js';
import { Registry, withheldOperations } from '../../src/core/registry.js';
import type { ToolFactory, ToolModule } from '../../src/core/toolModule.js';
import { MemoryCache } from '../../src/infra/cache.js';
import { createSilentLogger } from '../../src/infra/logger.js';
import { WorkspaceEvents } from '../../src/infra/workspaceEvents.js';

export interface ToolHarness {
  config: Config;
  workspaceDir: string;
  dataDir: string;
  module: ToolModule;
  registry: Registry;
  events: WorkspaceEvents;
  cache: MemoryCache;
  /** Calls an operation by MCP name through the real executor (scope check, validation, cache, timeout). */
  call: (mcpName: string, params: unknown, options?: CallOptions) => Promise<unknown>;
  /** Same, returning `{ result, cached }`. */
  callRaw: (mcpName: string, params: unknown, options?: CallOptions) => Promise<{ result: unknown; cached: boolean }>;
  close: () => Promise<void>;
}

export interface CallOptions {
  scopes?: Scope[];
  callerId?: string;
  sessionId?: string;
  signal?: AbortSignal;
  onProgress?: (update: ProgressUpdate) => void;
}

/**
 * Builds one tool module against a fresh temp DATA_DIR and WORKSPACE_DIR (unless given in env) and
 * serves it through the real Registry + Executor, without HTTP.
 */
export async function createToolHarness(factories: ToolFactory | ToolFactory[], env: Env = {}): Promise<ToolHarness> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-tool-test-'));
  const dataDir = env.DATA_DIR ?? path.join(root, 'data');
  const workspaceDir = env.WORKSPACE_DIR ?? path.join(root, 'workspace');
  mkdirSync(dataDir, { recursive: true });
  // A WORKSPACE_DIR the test names is left as it is: tests of a first start need it missing.
  if (env.WORKSPACE_DIR === undefined) mkdirSync(workspaceDir, { recursive: true });
  const config = loadConfig({ ...env, DATA_DIR: dataDir, WORKSPACE_DIR: workspaceDir }, root);
  const logger = createSilentLogger();
  const events = new WorkspaceEvents();
  const modules: ToolModule[] = [];
  const cache = new MemoryCache(1000);
  for (const factory of Array.isArray(factories) ? factories : [factories]) {
    modules.push(await factory({ config, logger, workspaceEvents: events, invalidate: (tags) => cache.invalidate(tags) }));
  }
  const registry = new Registry(
    modules.flatMap((m) => m.operations),
    withheldOperations(modules),
  );
  const executor = new Executor({ cache, defaultTimeoutMs: config.server.callTimeoutMs, logger });

  const callRaw = async (mcpName: string, params: unknown, options: CallOptions = {}) => {
    const entry = registry.byMcpName(mcpName);
    if (!entry) throw new Error(`no operation named ${mcpName}`);
    const caller: Caller = {
      id: options.callerId ?? 'test',
      name: options.callerId ?? 'test',
      scopes: new Set(options.scopes ?? ['read', 'write']),
      via: 'api_key',
    };
    const ctx: CallContext = {
      caller,
      requestId: 'test-request',
      dialect: 'envelope',
      sessionId: options.sessionId,
      signal: options.signal ?? new AbortController().signal,
      logger,
      progress: options.onProgress ?? (() => {}),
    };
    return executor.execute(entry, params, ctx);
  };

  return {
    config,
    workspaceDir,
    dataDir,
    module: modules[modules.length - 1]!,
    registry,
    events,
    cache,
    callRaw,
    call: async (name, params, options) => (await callRaw(name, params, options)).result,
    close: async () => {
      for (const m of modules) await m.close?.();
      await cache.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import type { CallContext } from '../../../src/core/context.js';
import type { ToolModule } from '../../../src/core/toolModule.js';
import { metricsRegistry } from '../../../src/infra/metrics.js';
import { createSilentLogger } from '../../../src/infra/logger.js';
import { WorkspaceEvents } from '../../../src/infra/workspaceEvents.js';
import { buildProcessTool, createProcessTool } from '../../../src/tools/process/index.js';
import { envelope, postJson, startServer, TEST_KEYS, type TestServer } from '../../helpers/server.js';
import { captureLogger, type CapturedLogger } from '../../infra/helpers/captureLogger.js';
import { describeWithBwrap, PROCESS_ENV } from './helpers.js';

async function runsByClass(): Promise<Record<string, number>> {
  const metric = await metricsRegistry.getSingleMetric('mcp_process_runs_total')!.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.exit_class), v.value]));
}

describeWithBwrap('process tool: audit log and metrics', () => {
  let root: string;
  let module: ToolModule;
  let captured: CapturedLogger;
  const call = (params: unknown) => {
    const ctx: CallContext = {
      caller: { id: 'key:auditor', name: 'auditor', scopes: new Set(['exec']), via: 'api_key' },
      requestId: 'req-audit-1',
      dialect: 'envelope',
      signal: new AbortController().signal,
      logger: createSilentLogger(),
      progress: () => undefined,
    };
    return module.operations[0]!.handler(params, ctx) as Promise<Record<string, unknown>>;
  };

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'mcp-process-audit-'));
    mkdirSync(path.join(root, 'data'));
    mkdirSync(path.join(root, 'workspace', 'sub'), { recursive: true });
    const config = loadConfig({ ...PROCESS_ENV, DATA_DIR: path.join(root, 'data'), WORKSPACE_DIR: path.join(root, 'workspace') }, root);
    captured = captureLogger();
    module = await buildProcessTool({ config, logger: captured.logger, workspaceEvents: new WorkspaceEvents() });
  });
  afterAll(async () => {
    await module?.close?.();
    rmSync(root, { recursive: true, force: true });
  });

  it('Security: writes one audit line per run with who, what, where and how it ended — never the output, arguments or input', async () => {
    const before = captured.count('process run');
    await call({ argv: ['sh', '-c', 'echo OUTPUT-SECRET; cat >&2', 'ARG-SECRET'], cwd: 'sub', stdin_text: 'STDIN-SECRET' });
    expect(captured.count('process run')).toBe(before + 1);
    const line = captured
      .lines()
      .filter((l) => l.message === 'process run')
      .pop()!.meta;
    expect(line).toMatchObject({
      requestId: 'req-audit-1',
      caller: 'key:auditor',
      argv0: 'sh',
      cwd: 'sub',
      exit_code: 0,
      signal: null,
      killed_by: null,
      stdout_bytes: 14,
      stderr_bytes: 12,
      stdin_bytes: 12,
      sandboxed: true,
    });
    expect(typeof line.duration_ms).toBe('number');
    const text = JSON.stringify(line);
    for (const secret of ['OUTPUT-SECRET', 'ARG-SECRET', 'STDIN-SECRET']) expect(text).not.toContain(secret);
  });

  it('counts runs per exit class', async () => {
    const before = await runsByClass();
    await call({ argv: ['true'] });
    await call({ argv: ['false'] });
    await call({ argv: ['sh', '-c', 'kill -KILL $$'] });
    await call({ argv: ['sleep', '60'], timeout_ms: 200 });
    const after = await runsByClass();
    for (const [exitClass, added] of Object.entries({ ok: 1, error: 1, signal: 1, timeout: 1 })) {
      expect(after[exitClass]! - (before[exitClass] ?? 0), exitClass).toBe(added);
    }
    expect(Object.keys(after).sort()).toEqual(['cancelled', 'error', 'ok', 'process_limit', 'shutdown', 'signal', 'timeout']);
  });
});

describeWithBwrap('process tool: the default per-tool rate limit', () => {
  let server: TestServer;
  const KEY = 'limited-key-0123456789';
  beforeAll(async () => {
    server = await startServer({
      toolFactories: [createProcessTool],
      env: { ...PROCESS_ENV, MCP_API_KEYS: `${TEST_KEYS},limited:${KEY}:read+exec`, RATE_LIMIT_MAX: '60' },
    });
  });
  afterAll(async () => server?.close());

  it('allows 10 runs per window per credential, then answers 429 for process only', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push(
        (await postJson(server.mcpUrl, envelope('process', 'run', { argv: ['true'] }), { authorization: `Bearer ${KEY}` })).status,
      );
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses[10]).toBe(429);
    const other = await postJson(server.mcpUrl, envelope('discovery', 'list_tools'), { authorization: `Bearer ${KEY}` });
    expect(other.status).toBe(200);
  }, 120_000);
});

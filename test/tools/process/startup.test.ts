import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Env } from '../../../src/config/index.js';
import { WorkspaceEvents } from '../../../src/infra/workspaceEvents.js';
import { buildProcessTool } from '../../../src/tools/process/index.js';
import { captureLogger } from '../../infra/helpers/captureLogger.js';
import { PROCESS_ENV } from './helpers.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function setup(env: Env) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-process-start-'));
  roots.push(root);
  const full = { DATA_DIR: path.join(root, 'data'), WORKSPACE_DIR: path.join(root, 'workspace'), ...PROCESS_ENV, ...env };
  mkdirSync(full.DATA_DIR, { recursive: true });
  const captured = captureLogger();
  return { config: loadConfig(full, root), captured };
}

describe('process tool startup', () => {
  it('Security: refuses to start when bubblewrap does not work, naming PROCESS_SANDBOX', async () => {
    const { config, captured } = setup({});
    const started = buildProcessTool(
      { config, logger: captured.logger, workspaceEvents: new WorkspaceEvents() },
      { bwrap: '/nonexistent/bwrap' },
    );
    const error = await started.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('PROCESS_SANDBOX');
    expect((error as ConfigError).message).toContain('bubblewrap');
  });

  it('starts unsandboxed only with PROCESS_SANDBOX=none, warning at every start', async () => {
    for (let start = 1; start <= 2; start++) {
      const { config, captured } = setup({ PROCESS_SANDBOX: 'none' });
      const module = await buildProcessTool(
        { config, logger: captured.logger, workspaceEvents: new WorkspaceEvents() },
        { bwrap: '/nonexistent/bwrap' },
      );
      expect(module.operations.map((op) => op.mcpName)).toEqual(['run_process']);
      expect(captured.messages().filter((m) => m.includes('WITHOUT a sandbox'))).toHaveLength(1);
      await module.close?.();
    }
  });

  it('Security: refuses a workspace that is DATA_DIR itself', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-process-start-'));
    roots.push(root);
    const config = loadConfig({ ...PROCESS_ENV, DATA_DIR: root, WORKSPACE_DIR: root }, root);
    const error = await buildProcessTool({ config, logger: captureLogger().logger, workspaceEvents: new WorkspaceEvents() }).catch(
      (e) => e,
    );
    expect((error as ConfigError).variable).toBe('WORKSPACE_DIR');
  });
});

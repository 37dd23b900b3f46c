import { describe, expect, it } from 'vitest';
import { parseApiKeys } from '../../src/config/auth.js';
import { DEFAULT_PROCESS_RATE_LIMIT, loadConfig } from '../../src/config/index.js';
import { configError } from '../helpers/configError.js';

describe('process tool configuration', () => {
  it('is off, sandboxed and bounded by default', () => {
    expect(loadConfig({}, '/srv/app').process).toEqual({
      enabled: false,
      allow: [],
      shell: false,
      sandbox: 'bwrap',
      network: false,
      workspaceReadOnly: false,
      envAllow: [],
      defaultTimeoutMs: 30_000,
      maxTimeoutMs: 300_000,
      maxOutputBytes: 1024 * 1024,
      cpuSeconds: 60,
      memoryMb: 1024,
      maxProcesses: 64,
      maxFileBytes: 100 * 1024 * 1024,
      tmpBytes: 64 * 1024 * 1024,
      maxConcurrent: 4,
      maxPerCaller: 2,
    });
  });

  it('reads the overrides', () => {
    const { process } = loadConfig(
      {
        PROCESS_ENABLED: 'true',
        PROCESS_ALLOW: 'git, rg ,/opt/tools/bin/lint',
        PROCESS_SHELL: 'true',
        PROCESS_SANDBOX: 'none',
        PROCESS_ENV_ALLOW: 'GIT_AUTHOR_NAME,NO_COLOR',
        PROCESS_MAX_PER_CALLER: '4',
      },
      '/tmp',
    );
    expect(process).toMatchObject({
      enabled: true,
      allow: ['git', 'rg', '/opt/tools/bin/lint'],
      shell: true,
      sandbox: 'none',
      envAllow: ['GIT_AUTHOR_NAME', 'NO_COLOR'],
      maxPerCaller: 4,
    });
  });

  it.each([
    ['PROCESS_ENABLED', { PROCESS_ENABLED: 'sometimes' }],
    ['PROCESS_SANDBOX', { PROCESS_SANDBOX: 'docker' }],
    ['PROCESS_ALLOW', { PROCESS_ALLOW: 'git,rm -rf' }],
    ['PROCESS_ALLOW', { PROCESS_ALLOW: '../bin/sh' }],
    ['PROCESS_ALLOW', { PROCESS_ALLOW: '/usr/../bin/sh' }],
    ['PROCESS_ENV_ALLOW', { PROCESS_ENV_ALLOW: 'LD_PRELOAD' }],
    ['PROCESS_ENV_ALLOW', { PROCESS_ENV_ALLOW: 'PATH' }],
    ['PROCESS_ENV_ALLOW', { PROCESS_ENV_ALLOW: 'BASH_ENV' }],
    ['PROCESS_ENV_ALLOW', { PROCESS_ENV_ALLOW: 'NOT-A-NAME' }],
    ['PROCESS_TIMEOUT_MS', { PROCESS_TIMEOUT_MS: '600000' }],
    ['PROCESS_MAX_TIMEOUT_MS', { PROCESS_MAX_TIMEOUT_MS: '10' }],
    ['PROCESS_MAX_OUTPUT_BYTES', { PROCESS_MAX_OUTPUT_BYTES: '10' }],
    ['PROCESS_CPU_SECONDS', { PROCESS_CPU_SECONDS: '0' }],
    ['PROCESS_MEMORY_MB', { PROCESS_MEMORY_MB: 'lots' }],
    ['PROCESS_MAX_PROCS', { PROCESS_MAX_PROCS: '0' }],
    ['PROCESS_MAX_FILE_BYTES', { PROCESS_MAX_FILE_BYTES: '0' }],
    ['PROCESS_TMP_BYTES', { PROCESS_TMP_BYTES: '1' }],
    ['PROCESS_MAX_CONCURRENT', { PROCESS_MAX_CONCURRENT: '0' }],
    ['PROCESS_MAX_PER_CALLER', { PROCESS_MAX_PER_CALLER: '5' }],
  ])('%s: a bad value stops startup naming it', (variable, env) => {
    expect(configError(env).variable).toBe(variable);
  });

  it('gives the process tool its own rate limit by default, unless RATE_LIMIT_TOOLS names it', () => {
    expect(loadConfig({ PROCESS_ENABLED: 'true' }, '/tmp').scale.rateLimitTools).toEqual([
      { target: 'process', max: DEFAULT_PROCESS_RATE_LIMIT },
    ]);
    expect(loadConfig({ PROCESS_ENABLED: 'true', RATE_LIMIT_MAX: '5' }, '/tmp').scale.rateLimitTools).toEqual([
      { target: 'process', max: 5 },
    ]);
    expect(loadConfig({ PROCESS_ENABLED: 'true', RATE_LIMIT_TOOLS: 'process.run=3' }, '/tmp').scale.rateLimitTools).toEqual([
      { target: 'process.run', max: 3 },
    ]);
    expect(loadConfig({ PROCESS_ENABLED: 'true', RATE_LIMIT_MAX: '0' }, '/tmp').scale.rateLimitTools).toEqual([]);
    expect(loadConfig({}, '/tmp').scale.rateLimitTools).toEqual([]);
  });

  it('Security: API keys get exec only by naming it', () => {
    expect(parseApiKeys('ops:s3cret-value:read+write+exec,ci:0th3r-value:read+write')).toEqual([
      { name: 'ops', key: 's3cret-value', scopes: ['read', 'write', 'exec'] },
      { name: 'ci', key: '0th3r-value', scopes: ['read', 'write'] },
    ]);
    expect(() => parseApiKeys('ops:s3cret-value:execute')).toThrow('unknown scope');
  });
});

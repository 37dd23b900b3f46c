import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { configError } from '../helpers/configError.js';
import { parseApiKeys } from '../../src/config/auth.js';

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config.server.port).toBe(3000);
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.server.dataDir).toBe('/srv/app/data');
    expect(config.server.workspaceDir).toBe('/srv/app/workspace');
    expect(config.auth.mode).toBe('api_key');
    expect(config.mcp.engine).toBe('engine');
    expect(config.server.compressMinBytes).toBe(1024);
  });

  it('reads COMPRESS_MIN_BYTES, 0 meaning off', () => {
    expect(loadConfig({ COMPRESS_MIN_BYTES: '0' }, '/tmp').server.compressMinBytes).toBe(0);
    expect(loadConfig({ COMPRESS_MIN_BYTES: '4096' }, '/tmp').server.compressMinBytes).toBe(4096);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'loud'],
    ['AUTH_MODE', 'password'],
    ['FS_READ_ONLY', 'maybe'],
    ['ALLOWED_ORIGINS', 'not a url'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['MCP_API_KEYS', 'just-a-key'],
    ['MCP_ENGINE', 'fast'],
    ['COMPRESS_MIN_BYTES', '-1'],
    ['COMPRESS_MIN_BYTES', '1k'],
  ])('%s=%s stops startup with a message naming the variable', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toContain(name);
    expect(error.code).toBe(`ERR_CONFIG_${name}`);
  });

  it('parses MCP_API_KEYS entries with + joined scopes', () => {
    expect(parseApiKeys('ci:s3cret-value:read+write,viewer:0th3r-value:read')).toEqual([
      { name: 'ci', key: 's3cret-value', scopes: ['read', 'write'] },
      { name: 'viewer', key: '0th3r-value', scopes: ['read'] },
    ]);
  });

  it.each([
    ['ci:short:read', 'at least 8'],
    ['ci:s3cret-value:admin', 'unknown scope'],
    ['ci:s3cret-value:read,ci:other-value:read', 'duplicate'],
  ])('rejects MCP_API_KEYS=%s', (value, fragment) => {
    expect(() => parseApiKeys(value)).toThrow(fragment);
  });

  it('never echoes a key value in the error', () => {
    const error = configError({ MCP_API_KEYS: 'ci:supersecretvalue:admin' });
    expect(error.message).not.toContain('supersecretvalue');
  });
});

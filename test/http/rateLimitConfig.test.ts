import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { configError } from '../helpers/configError.js';

describe('scale-out configuration', () => {
  it("has the design's defaults: 60 tool calls per 60 s per caller, 10× that in protocol messages, 5× per address", () => {
    const { scale } = loadConfig({}, '/tmp');
    expect(scale).toMatchObject({
      rateLimitWindowMs: 60_000,
      rateLimitMax: 60,
      rateLimitProtocolMax: 600,
      rateLimitIpMax: 300,
      rateLimitTools: [],
      redisPrefix: 'mcp:',
      sessionTtlMs: 86_400_000,
    });
  });

  it('reads per-tool and per-operation limits', () => {
    const { scale } = loadConfig({ RATE_LIMIT_TOOLS: 'file_system.write_file=10, database=30' }, '/tmp');
    expect(scale.rateLimitTools).toEqual([
      { target: 'file_system.write_file', max: 10 },
      { target: 'database', max: 30 },
    ]);
  });

  it('turns the address and protocol limits off with the caller limit unless they are set on their own', () => {
    expect(loadConfig({ RATE_LIMIT_MAX: '0' }, '/tmp').scale.rateLimitProtocolMax).toBe(0);
    expect(loadConfig({ RATE_LIMIT_MAX: '4' }, '/tmp').scale.rateLimitProtocolMax).toBe(40);
    expect(loadConfig({ RATE_LIMIT_MAX: '0', RATE_LIMIT_PROTOCOL_MAX: '9' }, '/tmp').scale.rateLimitProtocolMax).toBe(9);
    expect(loadConfig({ RATE_LIMIT_MAX: '0' }, '/tmp').scale.rateLimitIpMax).toBe(0);
    expect(loadConfig({ RATE_LIMIT_MAX: '0', RATE_LIMIT_IP_MAX: '50' }, '/tmp').scale.rateLimitIpMax).toBe(50);
  });

  it.each([
    ['RATE_LIMIT_TOOLS', 'database'],
    ['RATE_LIMIT_TOOLS', 'database=0'],
    ['RATE_LIMIT_TOOLS', 'database=61'],
    ['RATE_LIMIT_TOOLS', 'Database=3'],
    ['RATE_LIMIT_TOOLS', 'a.b.c=3'],
    ['RATE_LIMIT_TOOLS', 'database=3,database=4'],
    ['REDIS_PREFIX', 'has space'],
    ['REDIS_TIMEOUT_MS', '1'],
    ['SESSION_MAX_KEYS', '0'],
    ['RATE_LIMIT_IP_MAX', '-1'],
    ['RATE_LIMIT_PROTOCOL_MAX', '-1'],
    ['RATE_LIMIT_PROTOCOL_MAX', 'lots'],
  ])('%s=%s stops startup with a message naming the variable', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toContain(name);
  });
});

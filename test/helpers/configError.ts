import { ConfigError, loadConfig, type Env } from '../../src/config/index.js';

/** The ConfigError that loading this environment stops with (fails the test if it loads). */
export function configError(env: Env): ConfigError {
  try {
    loadConfig(env, '/tmp');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

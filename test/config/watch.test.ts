import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { configError } from '../helpers/configError.js';

describe('workspace watcher settings', () => {
  it('watches by default, applying changes seen within 200 ms together', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config.fileSystem.watchWorkspace).toBe(true);
    expect(config.fileSystem.watchDebounceMs).toBe(200);
  });

  it('can be turned off and tuned', () => {
    const config = loadConfig({ WATCH_WORKSPACE: 'false', WATCH_DEBOUNCE_MS: '0' }, '/srv/app');
    expect(config.fileSystem.watchWorkspace).toBe(false);
    expect(config.fileSystem.watchDebounceMs).toBe(0);
  });

  it.each([
    ['WATCH_WORKSPACE', 'sometimes'],
    ['WATCH_DEBOUNCE_MS', '-1'],
    // Past 1 s the promised 2 s freshness could not hold.
    ['WATCH_DEBOUNCE_MS', '1001'],
    ['WATCH_DEBOUNCE_MS', 'fast'],
  ])('%s=%s stops startup with a message naming the variable', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toContain(name);
  });
});

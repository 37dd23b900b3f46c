import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/env.js';
import { DEFAULT_BRAVE_API_URL, parseSearchConfig } from '../../../src/config/search.js';

describe('search configuration', () => {
  it('defaults to an offline, local-only setup', () => {
    const config = parseSearchConfig({});
    expect(config).toMatchObject({
      provider: 'local',
      fetchWebEnabled: false,
      fetchAllowedTargets: [],
      rescanIntervalMs: 60_000,
      fetchMaxRedirects: 5,
    });
    expect(config.braveApiUrl.href).toBe(DEFAULT_BRAVE_API_URL);
  });

  it('turns web fetching on by default once a web provider is configured, unless told otherwise', () => {
    expect(parseSearchConfig({ SEARXNG_URL: 'http://127.0.0.1:8080' }).fetchWebEnabled).toBe(true);
    expect(parseSearchConfig({ BRAVE_API_KEY: 'k' }).fetchWebEnabled).toBe(true);
    expect(parseSearchConfig({ BRAVE_API_KEY: 'k', FETCH_WEB_ENABLED: 'false' }).fetchWebEnabled).toBe(false);
  });

  it.each([
    [{ SEARCH_PROVIDER: 'searxng' }, 'SEARXNG_URL'],
    [{ SEARCH_PROVIDER: 'brave' }, 'BRAVE_API_KEY'],
    [{ SEARCH_PROVIDER: 'google' }, 'SEARCH_PROVIDER'],
    [{ SEARXNG_URL: 'ftp://x' }, 'SEARXNG_URL'],
    [{ FETCH_ALLOWED_HOSTS: 'wiki.internal:0' }, 'FETCH_ALLOWED_HOSTS'],
    [{ FETCH_ALLOWED_HOSTS: 'wiki.internal:65536' }, 'FETCH_ALLOWED_HOSTS'],
    [{ FETCH_ALLOWED_HOSTS: 'wiki.internal:' }, 'FETCH_ALLOWED_HOSTS'],
    [{ FETCH_ALLOWED_HOSTS: 'wiki.internal:http' }, 'FETCH_ALLOWED_HOSTS'],
    [{ FETCH_ALLOWED_HOSTS: 'wiki.internal:80:81' }, 'FETCH_ALLOWED_HOSTS'],
    [{ FETCH_ALLOWED_HOSTS: 'fd00::1' }, 'FETCH_ALLOWED_HOSTS'],
    [{ FETCH_ALLOWED_HOSTS: 'http://wiki.internal/' }, 'FETCH_ALLOWED_HOSTS'],
    [{ FETCH_ALLOWED_HOSTS: 'user@wiki.internal' }, 'FETCH_ALLOWED_HOSTS'],
    [{ FETCH_ALLOWED_HOSTS: 'wiki.internal/path' }, 'FETCH_ALLOWED_HOSTS'],
    [{ FETCH_MAX_REDIRECTS: '99' }, 'FETCH_MAX_REDIRECTS'],
    [{ SEARCH_INDEX_EXCLUDE: 'build/**,!(keep)' }, 'SEARCH_INDEX_EXCLUDE'],
  ])('rejects %j naming %s', (env, variable) => {
    try {
      parseSearchConfig(env);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
    }
  });

  it('normalises allow-list entries the way URLs spell hosts, a bare host meaning ports 80 and 443', () => {
    expect(
      parseSearchConfig({ FETCH_ALLOWED_HOSTS: 'Wiki.Internal., 0x7f.1:8080, [FD00::1], 2130706433:8080, [fd00::1]:0443' })
        .fetchAllowedTargets,
    ).toEqual(['wiki.internal:80', 'wiki.internal:443', '127.0.0.1:8080', '[fd00::1]:80', '[fd00::1]:443']);
  });
});

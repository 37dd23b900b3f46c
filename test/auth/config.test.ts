import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { configError } from '../helpers/configError.js';

const OAUTH = { AUTH_MODE: 'oauth', PUBLIC_URL: 'https://mcp.example.com', OAUTH_ISSUER: 'https://auth.example.com' };

describe('OAuth configuration', () => {
  it.each(['oauth', 'both'])('AUTH_MODE=%s requires PUBLIC_URL and OAUTH_ISSUER, naming the variable', (mode) => {
    expect(configError({ AUTH_MODE: mode, OAUTH_ISSUER: 'https://auth.example.com' }).variable).toBe('PUBLIC_URL');
    const missingIssuer = configError({ AUTH_MODE: mode, PUBLIC_URL: 'https://mcp.example.com' });
    expect(missingIssuer.variable).toBe('OAUTH_ISSUER');
    expect(missingIssuer.message).toContain(`AUTH_MODE=${mode}`);
  });

  it('needs neither in api_key or none mode', () => {
    expect(loadConfig({ AUTH_MODE: 'api_key' }, '/tmp').oauth.enabled).toBe(false);
    expect(loadConfig({ AUTH_MODE: 'none' }, '/tmp').oauth.enabled).toBe(false);
  });

  it('derives the canonical resource and its metadata URL from PUBLIC_URL', () => {
    for (const publicUrl of ['https://MCP.example.com', 'https://mcp.example.com/', 'https://mcp.example.com:443//']) {
      const { oauth } = loadConfig({ ...OAUTH, PUBLIC_URL: publicUrl }, '/tmp');
      expect(oauth.resource).toBe('https://mcp.example.com/mcp');
      expect(oauth.resourceMetadataUrl).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/mcp');
      expect(oauth.audiences).toEqual(['https://mcp.example.com/mcp']);
    }
    const prefixed = loadConfig({ ...OAUTH, PUBLIC_URL: 'https://example.com/tools/' }, '/tmp').oauth;
    expect(prefixed.resource).toBe('https://example.com/tools/mcp');
    expect(prefixed.resourceMetadataUrl).toBe('https://example.com/.well-known/oauth-protected-resource/tools/mcp');
  });

  it('has documented defaults', () => {
    const { oauth } = loadConfig(OAUTH, '/tmp');
    expect(oauth).toMatchObject({
      scopeRead: 'mcp:read',
      scopeWrite: 'mcp:write',
      scopeExec: 'mcp:exec',
      jwksCacheMs: 600_000,
      clockToleranceSec: 30,
      mcpInsufficientScope: 'tool_result',
      issuer: 'https://auth.example.com',
    });
    expect(oauth.introspection).toBeUndefined();
  });

  it('reads the overrides', () => {
    const { oauth } = loadConfig(
      {
        ...OAUTH,
        OAUTH_AUDIENCE: 'api://mcp,https://mcp.example.com/mcp',
        OAUTH_SCOPE_READ: 'files.read',
        OAUTH_SCOPE_WRITE: 'files.write',
        OAUTH_SCOPE_EXEC: 'files.exec',
        OAUTH_INTROSPECTION_URL: 'https://auth.example.com/introspect',
        OAUTH_INTROSPECTION_CLIENT_ID: 'rs',
        OAUTH_INTROSPECTION_CLIENT_SECRET: 'secret',
        OAUTH_MCP_INSUFFICIENT_SCOPE: 'http_403',
      },
      '/tmp',
    );
    expect(oauth.audiences).toEqual(['api://mcp', 'https://mcp.example.com/mcp']);
    expect(oauth.resource).toBe('https://mcp.example.com/mcp');
    expect(oauth).toMatchObject({
      scopeRead: 'files.read',
      scopeWrite: 'files.write',
      scopeExec: 'files.exec',
      mcpInsufficientScope: 'http_403',
    });
    expect(oauth.introspection).toMatchObject({
      url: 'https://auth.example.com/introspect',
      clientId: 'rs',
      clientSecret: 'secret',
      cacheMs: 30_000,
    });
  });

  it.each([
    ['PUBLIC_URL', { PUBLIC_URL: 'http://mcp.example.com' }],
    ['OAUTH_ISSUER', { OAUTH_ISSUER: 'http://auth.example.com' }],
    ['OAUTH_JWKS_URL', { OAUTH_JWKS_URL: 'http://auth.example.com/jwks' }],
  ])('Security: refuses plain http for %s off loopback', (variable, env) => {
    expect(configError({ ...OAUTH, ...env }).variable).toBe(variable);
  });

  it('allows plain http on loopback (development, tests)', () => {
    const { oauth } = loadConfig(
      { AUTH_MODE: 'oauth', PUBLIC_URL: 'http://127.0.0.1:3000', OAUTH_ISSUER: 'http://localhost:8080' },
      '/tmp',
    );
    expect(oauth.resource).toBe('http://127.0.0.1:3000/mcp');
  });

  it.each([
    ['PUBLIC_URL', { PUBLIC_URL: 'https://mcp.example.com/?x=1' }],
    ['OAUTH_SCOPE_READ', { OAUTH_SCOPE_READ: 'two words' }],
    ['OAUTH_SCOPE_WRITE', { OAUTH_SCOPE_WRITE: 'mcp:read' }],
    ['OAUTH_SCOPE_EXEC', { OAUTH_SCOPE_EXEC: 'mcp:write' }],
    ['OAUTH_SCOPE_EXEC', { OAUTH_SCOPE_EXEC: 'mcp:read' }],
    ['OAUTH_SCOPE_EXEC', { OAUTH_SCOPE_EXEC: 'exec "all"' }],
    ['OAUTH_INTROSPECTION_CLIENT_ID', { OAUTH_INTROSPECTION_URL: 'https://auth.example.com/introspect' }],
    [
      'OAUTH_INTROSPECTION_CLIENT_SECRET',
      { OAUTH_INTROSPECTION_URL: 'https://auth.example.com/introspect', OAUTH_INTROSPECTION_CLIENT_ID: 'rs' },
    ],
    ['OAUTH_CLOCK_TOLERANCE_S', { OAUTH_CLOCK_TOLERANCE_S: '3600' }],
    ['OAUTH_MCP_INSUFFICIENT_SCOPE', { OAUTH_MCP_INSUFFICIENT_SCOPE: 'ignore' }],
  ])('%s: a bad value stops startup naming it', (variable, env) => {
    expect(configError({ ...OAUTH, ...env }).variable).toBe(variable);
  });
});

const BUILTIN = { AUTH_MODE: 'both', PUBLIC_URL: 'https://mcp.example.com', OAUTH_SERVER: 'builtin' };

describe('built-in authorization server configuration (OAUTH_SERVER=builtin)', () => {
  it('is off by default and needs no OAUTH_ISSUER when on: the issuer is PUBLIC_URL', () => {
    expect(loadConfig(OAUTH, '/tmp').oauth.builtin).toBeUndefined();
    const { oauth } = loadConfig({ ...BUILTIN, PUBLIC_URL: 'https://MCP.example.com/' }, '/tmp');
    expect(oauth.issuer).toBe('https://mcp.example.com');
    expect(oauth.resource).toBe('https://mcp.example.com/mcp');
    expect(oauth.builtin).toEqual({
      issuer: 'https://mcp.example.com',
      accessTokenTtlSec: 900,
      refreshTokenTtlSec: 1_209_600,
      registrationsPerHour: 20,
      maxClients: 1000,
      unusedClientTtlSec: 86_400,
      keyFailuresPerAddress: 10,
      keyFailuresGlobal: 100,
      store: 'sqlite',
      clients: [],
      metadataAllowedTargets: [],
    });
  });

  it('reads pre-registered clients from OAUTH_CLIENTS_FILE, and names the variable when the file is bad', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'oauth-clients-'));
    try {
      const good = path.join(dir, 'clients.json');
      writeFileSync(
        good,
        JSON.stringify([{ client_id: 'my-app', client_secret: 'x'.repeat(32), redirect_uris: ['https://app.example/cb'] }]),
      );
      expect(loadConfig({ ...BUILTIN, OAUTH_CLIENTS_FILE: good }, '/tmp').oauth.builtin?.clients).toEqual([
        { client_id: 'my-app', client_secret: 'x'.repeat(32), redirect_uris: ['https://app.example/cb'] },
      ]);
      for (const content of [
        'not json',
        '{"client_id":"a"}',
        '[{"redirect_uris":[]}]',
        '[{"client_id":"a","redirect_uris":[]},{"client_id":"a","redirect_uris":[]}]',
      ]) {
        writeFileSync(good, content);
        expect(configError({ ...BUILTIN, OAUTH_CLIENTS_FILE: good }).variable).toBe('OAUTH_CLIENTS_FILE');
      }
      expect(configError({ ...BUILTIN, OAUTH_CLIENTS_FILE: path.join(dir, 'missing.json') }).variable).toBe('OAUTH_CLIENTS_FILE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads OAUTH_METADATA_ALLOWED_HOSTS as host:port targets (a bare host opens only 443), naming the variable when wrong', () => {
    const builtin = loadConfig({ ...BUILTIN, OAUTH_METADATA_ALLOWED_HOSTS: 'Clients.Internal., 10.0.0.7:8443, [fd00::7]:9443' }, '/tmp')
      .oauth.builtin;
    expect(builtin?.metadataAllowedTargets).toEqual(['clients.internal:443', '10.0.0.7:8443', '[fd00::7]:9443']);
    for (const wrong of ['https://clients.internal', 'clients.internal/docs', 'user@clients.internal', 'clients.internal:0', 'a:b:c'])
      expect(configError({ ...BUILTIN, OAUTH_METADATA_ALLOWED_HOSTS: wrong }).variable).toBe('OAUTH_METADATA_ALLOWED_HOSTS');
  });

  it('keeps its state in Redis when REDIS_URL is set (OAUTH_STORE=auto), or where OAUTH_STORE says', () => {
    expect(loadConfig({ ...BUILTIN, REDIS_URL: 'redis://127.0.0.1:6379' }, '/tmp').oauth.builtin?.store).toBe('redis');
    expect(loadConfig({ ...BUILTIN, REDIS_URL: 'redis://127.0.0.1:6379', OAUTH_STORE: 'sqlite' }, '/tmp').oauth.builtin?.store).toBe(
      'sqlite',
    );
    expect(configError({ ...BUILTIN, OAUTH_STORE: 'redis' }).variable).toBe('OAUTH_STORE');
    expect(configError({ ...BUILTIN, OAUTH_STORE: 'mysql' }).variable).toBe('OAUTH_STORE');
    const pgStore = loadConfig({ ...BUILTIN, OAUTH_STORE: 'postgres', OAUTH_DATABASE_URL: 'postgres://u@db/oauth' }, '/tmp').oauth.builtin;
    expect(pgStore).toMatchObject({ store: 'postgres', databaseUrl: 'postgres://u@db/oauth' });
    expect(configError({ ...BUILTIN, OAUTH_STORE: 'postgres' }).variable).toBe('OAUTH_DATABASE_URL');
    expect(configError({ ...BUILTIN, OAUTH_STORE: 'postgres', OAUTH_DATABASE_URL: 'mysql://db/x' }).variable).toBe('OAUTH_DATABASE_URL');
    // Security: never the database the SQL tool serves.
    expect(
      configError({ ...BUILTIN, OAUTH_STORE: 'postgres', OAUTH_DATABASE_URL: 'postgres://u@db/app', DATABASE_URL: 'postgres://u@db/app' })
        .variable,
    ).toBe('OAUTH_DATABASE_URL');
  });

  it('reads the overrides', () => {
    const { oauth } = loadConfig(
      {
        ...BUILTIN,
        OAUTH_ACCESS_TOKEN_TTL_S: '300',
        OAUTH_REFRESH_TOKEN_TTL_S: '86400',
        OAUTH_REGISTRATIONS_PER_HOUR: '5',
        OAUTH_MAX_CLIENTS: '50',
        OAUTH_UNUSED_CLIENT_TTL_S: '3600',
        OAUTH_CONSENT_KEY_FAILURES_PER_IP: '3',
        OAUTH_CONSENT_KEY_FAILURES_GLOBAL: '30',
      },
      '/tmp',
    );
    expect(oauth.builtin).toMatchObject({
      accessTokenTtlSec: 300,
      refreshTokenTtlSec: 86_400,
      registrationsPerHour: 5,
      maxClients: 50,
      unusedClientTtlSec: 3600,
      keyFailuresPerAddress: 3,
      keyFailuresGlobal: 30,
    });
  });

  it.each([
    ['OAUTH_SERVER', { OAUTH_SERVER: 'keycloak' }],
    ['AUTH_MODE', { AUTH_MODE: 'api_key' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'https://example.com/tools' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'http://mcp.example.com' }],
    ['OAUTH_ISSUER', { OAUTH_ISSUER: 'https://auth.example.com' }],
    ['OAUTH_ACCESS_TOKEN_TTL_S', { OAUTH_ACCESS_TOKEN_TTL_S: '5' }],
    ['OAUTH_REFRESH_TOKEN_TTL_S', { OAUTH_ACCESS_TOKEN_TTL_S: '3600', OAUTH_REFRESH_TOKEN_TTL_S: '1800' }],
    ['OAUTH_REGISTRATIONS_PER_HOUR', { OAUTH_REGISTRATIONS_PER_HOUR: '0' }],
    ['OAUTH_MAX_CLIENTS', { OAUTH_MAX_CLIENTS: 'many' }],
    ['OAUTH_UNUSED_CLIENT_TTL_S', { OAUTH_UNUSED_CLIENT_TTL_S: '1' }],
    ['OAUTH_CONSENT_KEY_FAILURES_PER_IP', { OAUTH_CONSENT_KEY_FAILURES_PER_IP: '0' }],
    ['OAUTH_CONSENT_KEY_FAILURES_GLOBAL', { OAUTH_CONSENT_KEY_FAILURES_GLOBAL: '-1' }],
  ])('%s: a bad value stops startup naming it', (variable, env) => {
    expect(configError({ ...BUILTIN, ...env }).variable).toBe(variable);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { composeEnvironments, interpolate } from '../../scripts/compose-env.mjs';
// @ts-expect-error plain ESM script without type declarations
import { parseEnvExample } from '../../scripts/config-table.mjs';
import { loadConfig } from '../../src/config/index.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const compose = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
const sections: { title: string; variables: { name: string; default: string }[] }[] = parseEnvExample(
  readFileSync(path.join(ROOT, '.env.example'), 'utf8'),
).sections;
const composeOnly = sections.find((s) => s.title === 'docker compose only')!.variables;
const serverVariables = sections.filter((s) => s.title !== 'docker compose only').flatMap((s) => s.variables.map((v) => v.name));
const SERVERS = ['server', 'server-2'];

type Environments = Record<string, Record<string, string>>;
const environments = (dotenv: string): Environments => composeEnvironments(compose, dotenv);

/** What the containers set for themselves, whatever .env says (the container's addresses, folders, services). */
const PINNED: Record<string, string> = {
  HOST: '0.0.0.0',
  PORT: '3000',
  DATA_DIR: '/app/data',
  WORKSPACE_DIR: '/app/workspace',
  NODE_ENV: 'production',
  REDIS_URL: 'redis://redis:6379',
  DATABASE_URL: 'postgres://set-MCP_DB_USER:set-MCP_DB_PASSWORD@postgres:5432/set-POSTGRES_DB',
};

describe('docker compose: what reaches the server containers', () => {
  it('passes every server variable of .env.example that .env sets to both replicas', () => {
    expect(serverVariables.length).toBeGreaterThan(80);
    const dotenv = [...serverVariables, ...composeOnly.map((v) => v.name)].map((name) => `${name}=set-${name}`).join('\n');
    const envs = environments(dotenv);
    for (const server of SERVERS) {
      const env = envs[server]!;
      const wrong = serverVariables.filter((name) => env[name] !== (PINNED[name] ?? `set-${name}`));
      expect(wrong, server).toEqual([]);
    }
  });

  it('keeps the PostgreSQL and SearXNG secrets away from the server, and gives them to their own services', () => {
    const dotenv = ['MCP_API_KEYS=me:a-long-secret-key:read+write', ...composeOnly.map((v) => `${v.name}=set-${v.name}`)].join('\n');
    const envs = environments(dotenv);
    for (const server of SERVERS) for (const v of composeOnly) expect(envs[server]![v.name] ?? '', `${server} ${v.name}`).toBe('');
    expect(envs.postgres!.POSTGRES_PASSWORD).toBe('set-POSTGRES_PASSWORD');
    expect(envs.searxng!.SEARXNG_SECRET).toBe('set-SEARXNG_SECRET');
  });

  it("uses .env.example's defaults for the compose-only variables when .env leaves them out", () => {
    const envs = environments('MCP_API_KEYS=me:a-long-secret-key:read+write');
    const seen = { ...envs.postgres, ...envs.searxng };
    for (const v of composeOnly) expect(seen[v.name], v.name).toBe(v.default);
  });

  it('starts with OAuth, read-only files, Brave search and tool limits set in .env (these used to be dropped)', () => {
    const env = environments(
      [
        'MCP_API_KEYS=me:a-long-secret-key:read+write',
        'AUTH_MODE=oauth',
        'PUBLIC_URL=https://mcp.example.com',
        'OAUTH_ISSUER=https://auth.example.com',
        'FS_READ_ONLY=true',
        'SEARCH_PROVIDER=brave',
        'BRAVE_API_KEY=brave-key',
        'RATE_LIMIT_TOOLS=database=30',
        'LOG_FILE_DIR=/app/data/logs',
        'HOST=127.0.0.1',
        'DATA_DIR=./data',
      ].join('\n'),
    ).server!;
    const config = loadConfig(env, '/app');
    expect(config.oauth.enabled).toBe(true);
    expect(config.oauth.issuer).toBe('https://auth.example.com');
    expect(config.fileSystem.readOnly).toBe(true);
    expect(config.search.provider).toBe('brave');
    expect(config.scale.rateLimitTools).toEqual([{ target: 'database', max: 30 }]);
    expect(config.log.fileDir).toBe('/app/data/logs');
    // A .env written for `npm start` cannot move the container off its own address and volumes.
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.server.dataDir).toBe('/app/data');
    expect(config.database.backend).toBe('postgres');
  });

  it('refuses to start without MCP_API_KEYS (replicas must share their keys)', () => {
    expect(() => environments('')).toThrow(/MCP_API_KEYS.*set MCP_API_KEYS in \.env/);
  });
});

describe('the offline model of compose interpolation', () => {
  const vars = { SET: 'value', EMPTY: '' };
  it.each([
    ['${SET}', 'value'],
    ['$SET/x', 'value/x'],
    ['${MISSING}', ''],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${MISSING-fallback}', 'fallback'],
    ['${SET:+other}', 'other'],
    ['${EMPTY:+other}', ''],
    ['$${SET}', '${SET}'],
    ['a${MISSING:-${SET}}b', 'avalueb'],
  ])('%s → %s', (text, expected) => {
    expect(interpolate(text, vars)).toBe(expected);
  });

  it('fails on a required variable that is unset or empty', () => {
    expect(() => interpolate('${EMPTY:?say why}', vars)).toThrow('${EMPTY} is required: say why');
    expect(interpolate('${EMPTY?say why}', vars)).toBe('');
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'lint-docker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const original = {
  compose: readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'),
  dockerfile: readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'),
  envExample: readFileSync(path.join(ROOT, '.env.example'), 'utf8'),
};

/** Runs scripts/lint-docker.mjs on (possibly edited) copies; returns exit code and output. */
function lint(edit: { compose?: string; dockerfile?: string; envExample?: string } = {}) {
  const files = { compose: 'docker-compose.yml', dockerfile: 'Dockerfile', envExample: 'env.example' } as const;
  for (const key of Object.keys(files) as (keyof typeof files)[]) writeFileSync(path.join(dir, files[key]), edit[key] ?? original[key]);
  try {
    const out = execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'scripts/lint-docker.mjs'),
        '--compose',
        path.join(dir, files.compose),
        '--dockerfile',
        path.join(dir, files.dockerfile),
        '--env-example',
        path.join(dir, files.envExample),
      ],
      { encoding: 'utf8', stdio: 'pipe' },
    );
    return { code: 0, output: out };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: `${e.stdout}${e.stderr}` };
  }
}

function replaceOnce(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

describe('npm run lint:docker', () => {
  it('passes on the repository files', () => {
    const result = lint();
    expect(result.output).toContain('lint:docker ok');
    expect(result.code).toBe(0);
  });

  it('fails when compose passes a variable the server does not read', () => {
    const compose = replaceOnce(original.compose, '    REDIS_URL:', '    SHUTDOWN_TIMEOUT: "5000"\n    REDIS_URL:');
    const result = lint({ compose });
    expect(result.code).toBe(1);
    expect(result.output).toContain('passes SHUTDOWN_TIMEOUT, which the server does not read');
  });

  it('fails when a passed or interpolated variable is missing from .env.example', () => {
    const envExample = replaceOnce(
      replaceOnce(original.envExample, '# NODE_ENV=development\n', ''),
      '# SEARXNG_SECRET=change-me-searxng\n',
      '',
    );
    const result = lint({ envExample });
    expect(result.code).toBe(1);
    expect(result.output).toContain('passes NODE_ENV, which .env.example does not document');
    expect(result.output).toContain('interpolates ${SEARXNG_SECRET}');
  });

  it('fails when the server services do not read .env, naming the variables that would be lost', () => {
    const compose = replaceOnce(original.compose, '  env_file:\n    - path: .env\n      required: false\n', '');
    const result = lint({ compose });
    expect(result.code).toBe(1);
    expect(result.output).toContain('service server must read .env');
    expect(result.output).toMatch(/service server does not pass \d+ variable\(s\) set in \.env: .*OAUTH_ISSUER/);
    expect(result.output).toMatch(/service server-2 does not pass .*FS_READ_ONLY.*BRAVE_API_KEY/);
  });

  it('fails when compose hands the server a compose-only secret', () => {
    const compose = replaceOnce(original.compose, '    POSTGRES_PASSWORD: ""\n', '');
    const result = lint({ compose });
    expect(result.code).toBe(1);
    expect(result.output).toContain('service server receives compose-only POSTGRES_PASSWORD from .env');
    const passed = replaceOnce(original.compose, '    SEARXNG_SECRET: ""\n', '    SEARXNG_SECRET: ${SEARXNG_SECRET:-x}\n');
    expect(lint({ compose: passed }).output).toContain('passes SEARXNG_SECRET, a compose-only variable; blank it');
  });

  it('fails on an invalid compose file (dclint schema check)', () => {
    const compose = replaceOnce(
      original.compose,
      '  redis:\n    image: redis:7-bookworm\n',
      '  redis:\n    image: redis:7-bookworm\n    bogus_key: 1\n',
    );
    const result = lint({ compose });
    expect(result.code).toBe(1);
    expect(result.output).toContain('dclint failed');
    expect(result.output).toContain('additional properties');
  });

  it('fails when a dependency is awaited without a health condition', () => {
    const compose = replaceOnce(
      original.compose,
      '    redis:\n      condition: service_healthy',
      '    redis:\n      condition: service_started',
    );
    const result = lint({ compose });
    expect(result.code).toBe(1);
    expect(result.output).toContain('depends_on redis must use condition: service_healthy');
  });

  it('fails on a Dockerfile on an end-of-life Node, or whose build stage has another Node than the runtime', () => {
    const old = lint({ dockerfile: original.dockerfile.replaceAll('node:24-bookworm-slim', 'node:20-bookworm-slim') });
    expect(old.code).toBe(1);
    expect(old.output).toContain('the runtime stage must be FROM node:24-bookworm-slim');
    const mixed = lint({
      dockerfile: replaceOnce(original.dockerfile, 'FROM node:24-bookworm-slim AS build', 'FROM node:22-bookworm-slim AS build'),
    });
    expect(mixed.code).toBe(1);
    expect(mixed.output).toContain('every node stage must use the runtime');
  });

  it('fails on a Dockerfile that runs as root, probes with curl, or has an invalid instruction', () => {
    let dockerfile = replaceOnce(original.dockerfile, 'USER node\n', '');
    dockerfile = replaceOnce(dockerfile, 'CMD ["node", "-e"', 'CMD ["curl", "-f", "http://127.0.0.1:3000/healthz"]\n# CMD ["node", "-e"');
    dockerfile = replaceOnce(dockerfile, 'EXPOSE 3000', 'EXPOSE 3000\nRUNN true');
    const result = lint({ dockerfile });
    expect(result.code).toBe(1);
    expect(result.output).toContain('non-root USER');
    expect(result.output).toContain('must not use curl');
    expect(result.output).toContain('Unknown instruction: RUNN');
  });
});

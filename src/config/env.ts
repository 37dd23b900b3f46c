/**
 * Small typed readers over the environment. Every failure is a ConfigError that names the
 * variable, the value's problem and what is expected, so a bad deployment fails fast at startup.
 */
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  readonly code: string;
  readonly variable: string;
  constructor(variable: string, expected: string, got?: string) {
    const shown = got === undefined ? '' : ` (got ${JSON.stringify(got.length > 60 ? `${got.slice(0, 60)}…` : got)})`;
    super(`Invalid configuration: ${variable} must be ${expected}${shown}.`);
    this.name = 'ConfigError';
    this.code = `ERR_CONFIG_${variable}`;
    this.variable = variable;
  }
}

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function readString(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

export function readOptionalString(env: Env, name: string): string | undefined {
  return raw(env, name);
}

export function readInt(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new ConfigError(name, `a whole number between ${min} and ${max}`, value);
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(name, `a whole number between ${min} and ${max}`, value);
  return n;
}

export function readBool(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  throw new ConfigError(name, 'true or false', value);
}

export function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new ConfigError(name, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

export function readList(env: Env, name: string, fallback: string[] = []): string[] {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function readUrl(env: Env, name: string, protocols: string[]): URL | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `a URL (${protocols.join(' or ')})`, value);
  }
  if (!protocols.includes(url.protocol.replace(/:$/, ''))) throw new ConfigError(name, `a URL (${protocols.join(' or ')})`, value);
  return url;
}

// What docker compose would put in each service's environment, worked out offline (CI has no
// Docker engine and no compose plugin): env_file entries, then `environment:` with ${...}
// interpolated from the .env file, which wins. Used by scripts/lint-docker.mjs and its tests.
// Covers what docker-compose.yml uses: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error},
// ${VAR?error}, ${VAR:+other}, $VAR and $$; the shell's environment is left out on purpose, so the
// answer depends on the files only.
import dotenv from 'dotenv';
import { parse as parseYaml } from 'yaml';

/** Compose interpolation of one value against `vars` (the .env file). Throws on ${VAR:?error}. */
export function interpolate(text, vars) {
  return String(text).replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name, colon, op, arg, bare) => {
      if (match === '$$') return '$';
      if (bare) return vars[bare] ?? '';
      const value = vars[name];
      const missing = colon ? value === undefined || value === '' : value === undefined;
      if (op === '-') return missing ? interpolate(arg, vars) : value;
      if (op === '?') {
        if (missing) throw new Error(`\${${name}} is required: ${arg}`);
        return value;
      }
      if (op === '+') return missing ? '' : interpolate(arg, vars);
      return value ?? '';
    },
  );
}

/** The env files a service reads, as [{ path, required }]. */
export function envFiles(service) {
  const list = service?.env_file === undefined ? [] : Array.isArray(service.env_file) ? service.env_file : [service.env_file];
  return list.map((entry) =>
    typeof entry === 'string' ? { path: entry, required: true } : { path: entry.path, required: entry.required !== false },
  );
}

/** `environment:` as [name, raw value or null] pairs (list or map form). */
export function environmentEntries(service) {
  const env = service?.environment ?? {};
  if (Array.isArray(env)) {
    return env.map((entry) => {
      const text = String(entry);
      const i = text.indexOf('=');
      return i < 0 ? [text, null] : [text.slice(0, i), text.slice(i + 1)];
    });
  }
  return Object.entries(env).map(([name, value]) => [name, value === null ? null : String(value)]);
}

/**
 * Every service's container environment when `.env` next to the compose file holds `dotenvText`
 * (env files other than .env are treated as absent). Returns { [service]: { [name]: value } }.
 */
export function composeEnvironments(composeText, dotenvText) {
  const compose = parseYaml(composeText, { merge: true }) ?? {};
  const dotenvVars = dotenv.parse(dotenvText ?? '');
  const result = {};
  for (const [name, service] of Object.entries(compose.services ?? {})) {
    const env = {};
    for (const file of envFiles(service)) {
      if (file.path.replace(/^\.\//, '') !== '.env') continue;
      Object.assign(env, dotenvVars);
    }
    for (const [key, raw] of environmentEntries(service)) {
      if (raw === null) continue; // taken from the shell, which this model leaves out
      env[key] = interpolate(raw, dotenvVars);
    }
    result[name] = env;
  }
  return result;
}

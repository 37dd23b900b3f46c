import { isLoopbackHost } from './config/server.js';
import type { Config } from './config/index.js';
import { ConfigError } from './config/env.js';
import { loadOrCreateGeneratedKey } from './auth/generatedKey.js';

export interface PreparedAuth {
  /** Set when a key was generated on this start: print it once. */
  generatedKey?: { key: string; file: string };
  usingGeneratedKey: boolean;
}

/**
 * Startup checks that need more than one variable, and first-start key generation.
 * Security: no-auth mode only when asked for, and never on a public interface without a second switch.
 */
export function prepareAuth(config: Config): PreparedAuth {
  const { auth, server } = config;
  // A loopback bind behind a tunnel (PUBLIC_URL elsewhere) is just as public as 0.0.0.0.
  const exposed = !isLoopbackHost(server.host) || (server.publicUrl !== undefined && !isLoopbackHost(server.publicUrl.hostname));
  if (auth.mode === 'none' && exposed && !auth.allowUnauthenticatedRemote) {
    throw new ConfigError(
      'AUTH_NONE_ALLOW_REMOTE',
      `true to run without authentication while reachable from elsewhere (HOST=${server.host}${server.publicUrl ? `, PUBLIC_URL=${server.publicUrl.origin}` : ''}); or bind to 127.0.0.1 without a public URL, or choose another AUTH_MODE`,
    );
  }
  // The built-in authorization server's consent page is approved with an API key, so it needs one too.
  const needsKey = auth.mode === 'api_key' || auth.mode === 'both' || config.oauth.builtin !== undefined;
  if (needsKey && auth.apiKeys.length === 0) {
    const { entry, created, file } = loadOrCreateGeneratedKey(server.dataDir);
    auth.apiKeys.push(entry);
    return { usingGeneratedKey: true, generatedKey: created ? { key: entry.key, file } : undefined };
  }
  return { usingGeneratedKey: false };
}

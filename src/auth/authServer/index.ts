import type { RequestHandler, Router } from 'express';
import type Provider from 'oidc-provider';
import type { Logger } from 'winston';
import type { ApiKeyEntry } from '../../config/auth.js';
import type { OAuthConfig } from '../../config/oauth.js';
import type { RedisHandle } from '../../infra/redis.js';
import type { Authenticator } from '../authenticator.js';
import { KeyAccounts } from './accounts.js';
import { ApiKeyLogin } from './apiKeyLogin.js';
import { KeyGuessLimiter } from './keyGuessLimiter.js';
import type { LoginMethod } from './login.js';
import { createProvider } from './provider.js';
import { authServerRoutes } from './routes.js';
import { loadSecrets } from './secrets.js';
import type { OAuthStore } from './store.js';
import { BuiltinTokenAuthenticator } from './tokenAuthenticator.js';

export interface AuthorizationServer {
  provider: Provider;
  store: OAuthStore;
  /** oidc-provider's endpoints under /oauth and the consent page. */
  router: Router;
  /** Serves the RFC 8414 / OpenID metadata at the root well-known paths. */
  metadata: RequestHandler;
  authenticator: Authenticator;
  close: () => Promise<void>;
}

export interface AuthorizationServerOptions {
  oauth: OAuthConfig;
  apiKeys: ApiKeyEntry[];
  logger: Logger;
  redis?: RedisHandle;
  /** Where state lives (openOAuthStore: a SQLite file in DATA_DIR, or Redis / PostgreSQL). */
  store: OAuthStore;
  /** The process tool is on: the exec scope exists, and the consent page offers it separately. */
  execOffered?: boolean;
  /**
   * Who approves on the consent page (README, "Another way to log in"); default: the API key.
   * Security: whatever it is, the page's CSRF and Origin checks, the scope rules and the token
   * checks stay the server's; the method only says who submitted the form and who still may.
   */
  login?: LoginMethod;
}

/** The built-in OAuth 2.1 authorization server (OAUTH_SERVER=builtin). */
export async function createAuthorizationServer(options: AuthorizationServerOptions): Promise<AuthorizationServer> {
  const { oauth, logger } = options;
  const config = oauth.builtin!;
  const store = options.store;
  const secrets = await loadSecrets(store);
  const accounts = new KeyAccounts(options.apiKeys, secrets.hmacKey);
  const login =
    options.login ??
    new ApiKeyLogin(accounts, new KeyGuessLimiter(config.keyFailuresPerAddress, config.keyFailuresGlobal, options.redis), logger);
  const scopeNames = { read: oauth.scopeRead, write: oauth.scopeWrite, exec: oauth.scopeExec };
  const execOffered = options.execOffered ?? false;
  const provider = createProvider({ config, resource: oauth.resource, scopeNames, execOffered, store, secrets, login, logger });
  const { router, metadata } = authServerRoutes({
    provider,
    config,
    resource: oauth.resource,
    scopeNames,
    execOffered,
    login,
    store,
    logger,
    redis: options.redis,
    secure: new URL(config.issuer).protocol === 'https:',
  });
  logger.info('oauth authorization server', { issuer: config.issuer, resource: oauth.resource, login: login.id, keys: accounts.size });
  return {
    provider,
    store,
    router,
    metadata,
    authenticator: new BuiltinTokenAuthenticator(provider, login, oauth.resource, scopeNames),
    close: () => store.close(),
  };
}

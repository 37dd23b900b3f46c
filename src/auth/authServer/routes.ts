import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type Provider from 'oidc-provider';
import type { Logger } from 'winston';
import type { BuiltinAuthServerConfig } from '../../config/oauthServer.js';
import { FailoverStore } from '../../http/rateLimitStore.js';
import type { RedisHandle } from '../../infra/redis.js';
import { ALL_SCOPES, type Scope } from '../../core/caller.js';
import type { ScopeNames } from '../oauth/scopes.js';
import type { LoginMethod } from './login.js';
import { consentPage, errorPage, newNonce, setPageHeaders, type ConsentView } from './pages.js';
import { hostOf } from './names.js';
import { CONSENT_PATH, MOUNT } from './provider.js';
import type { OAuthStore } from './store.js';

export interface AuthServerRouteOptions {
  provider: Provider;
  config: BuiltinAuthServerConfig;
  resource: string;
  scopeNames: ScopeNames;
  /** The process tool is on: exec can be granted, and the consent page asks about it separately. */
  execOffered?: boolean;
  /** Who approves: the consent form's login fields, their check, and the accounts of grants. */
  login: LoginMethod;
  store: OAuthStore;
  logger: Logger;
  redis?: RedisHandle;
  /** Secure cookies (PUBLIC_URL is https). */
  secure: boolean;
}

const CSRF_COOKIE = 'mcp_consent_csrf';

/** The part of oidc-provider's interaction details the consent page reads. */
interface InteractionDetails {
  uid: string;
  params: Record<string, unknown>;
}

function sendPage(res: Response, status: number, html: (nonce: string) => string, formTargets: string[] = []): void {
  const nonce = newNonce();
  setPageHeaders(res, nonce, formTargets);
  res.status(status).send(html(nonce));
}

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function sameString(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function firstParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The authorization server's HTTP surface: oidc-provider's endpoints under /oauth (with DCR
 * limits in front), the consent page, and the RFC 8414 / OpenID metadata at the origin's root.
 */
export function authServerRoutes(options: AuthServerRouteOptions): { router: Router; metadata: RequestHandler } {
  const { provider, config, resource, scopeNames, login, store, logger } = options;
  const execOffered = options.execOffered ?? false;
  const callback = provider.callback();
  const issuer = new URL(config.issuer);
  const router = Router();

  const forward = (req: Request, res: Response): void => {
    // Security: oidc-provider builds endpoint URLs and redirects from the forwarded headers; they
    // are always PUBLIC_URL's, never what the client sent (no Host/X-Forwarded-Host injection
    // into metadata). The address is Express's req.ip, which honours TRUST_PROXY only.
    req.headers['x-forwarded-proto'] = issuer.protocol.replace(/:$/, '');
    req.headers['x-forwarded-host'] = issuer.host;
    req.headers['x-forwarded-for'] = req.ip ?? '';
    callback(req, res);
  };

  // RFC 8414 metadata (and OpenID discovery) at the root, served by oidc-provider's discovery.
  const metadata: RequestHandler = (req, res) => {
    req.url = '/.well-known/openid-configuration';
    req.originalUrl = `${MOUNT}/.well-known/openid-configuration`;
    forward(req, res);
  };

  // Security: DCR is open to anyone (that is its point for ChatGPT and Claude), so it is
  // rate-limited per address and capped in total; unused registrations expire (adapter.ts).
  const registrationRate = rateLimit({
    windowMs: 3_600_000,
    limit: config.registrationsPerHour,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store: new FailoverStore(options.redis, 'mcp:rl:oauth-register:'),
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown', 56),
    handler: (_req, res) =>
      res.status(429).json({
        error: 'temporarily_unavailable',
        error_description: `Too many client registrations from this address (OAUTH_REGISTRATIONS_PER_HOUR=${config.registrationsPerHour}); try again later.`,
      }),
  });
  const registrationCap: RequestHandler = async (_req, res, next) => {
    try {
      if ((await store.count('Client')) < config.maxClients) return next();
      logger.warn('oauth: client registration refused, OAUTH_MAX_CLIENTS reached', { max: config.maxClients });
      res.status(403).json({
        error: 'access_denied',
        error_description: `This server already has OAUTH_MAX_CLIENTS=${config.maxClients} registered clients; unused ones expire, or the owner raises the limit.`,
      });
    } catch (error) {
      next(error);
    }
  };
  router.post(`${MOUNT}/register`, registrationRate, registrationCap);

  // A client that names none of our scopes gets both offered (the owner still picks read or read+write).
  router.get(`${MOUNT}/authorize`, (req, _res, next) => {
    const url = new URL(req.originalUrl, 'http://x');
    const requested = (url.searchParams.get('scope') ?? '').split(' ').filter(Boolean);
    if (!requested.includes(scopeNames.read) && !requested.includes(scopeNames.write)) {
      url.searchParams.set('scope', [...requested, scopeNames.read, scopeNames.write].join(' '));
      req.url = `${url.pathname}${url.search}`;
      req.originalUrl = req.url;
    }
    next();
  });

  const consentView = async (
    req: Request,
  ): Promise<{ view: Omit<ConsentView, 'csrf' | 'error'>; details: InteractionDetails; formTargets: string[] }> => {
    const details: InteractionDetails = await provider.interactionDetails(req, req.res!);
    if (details.uid !== req.params.uid) throw new Error('interaction mismatch');
    const clientId = String(details.params.client_id);
    const client = await provider.Client.find(clientId);
    if (!client) throw new Error('unknown client');
    const redirectUri = String(details.params.redirect_uri ?? '');
    const requestedNames = String(details.params.scope ?? '')
      .split(' ')
      .filter(Boolean);
    const requested = requestedNames.map((name) => ({ name, meaning: meaningOf(name, scopeNames, execOffered) }));
    let redirectOrigin = '';
    try {
      redirectOrigin = new URL(redirectUri).origin;
    } catch {}
    return {
      details,
      formTargets: redirectOrigin ? [redirectOrigin] : [],
      view: {
        action: `${CONSENT_PATH}/${details.uid}`,
        // Security: client_name is attacker-chosen (open DCR); it is only ever escaped text, and
        // logo_uri is never fetched or shown.
        clientName: typeof client.clientName === 'string' && client.clientName ? client.clientName : '(unnamed client)',
        clientId,
        redirectHost: hostOf(redirectUri),
        requested,
        writeRequested: requestedNames.includes(scopeNames.write),
        execRequested: execOffered && requestedNames.includes(scopeNames.exec),
        loginFields: login.renderFields({ uid: details.uid, clientId }),
      },
    };
  };

  const interactionGone = (res: Response) =>
    sendPage(res, 400, (nonce) =>
      errorPage(
        nonce,
        'This authorization request has expired',
        'It is older than ten minutes, was already answered, or was opened in another browser. Start the connection again from your client.',
      ),
    );

  router.get(`${CONSENT_PATH}/:uid`, async (req, res) => {
    let shown: Awaited<ReturnType<typeof consentView>>;
    try {
      shown = await consentView(req);
    } catch {
      return interactionGone(res);
    }
    const csrf = randomBytes(24).toString('base64url');
    // Security: double-submit CSRF token in a SameSite=Strict cookie scoped to the consent page,
    // plus the Origin check on POST; a cross-site form cannot present both.
    res.cookie(CSRF_COOKIE, csrf, { httpOnly: true, sameSite: 'strict', secure: options.secure, path: CONSENT_PATH, maxAge: 600_000 });
    sendPage(res, 200, (nonce) => consentPage(nonce, { ...shown.view, csrf }), shown.formTargets);
  });

  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  router.post(`${CONSENT_PATH}/:uid`, form, async (req, res, next) => {
    const origin = req.get('origin');
    const csrfOk = sameString(cookieOf(req, CSRF_COOKIE), firstParam(req.body?.csrf));
    if ((origin && origin !== issuer.origin) || !csrfOk) {
      logger.warn('oauth: consent form refused (CSRF check)', { ip: req.ip, origin });
      return sendPage(res, 403, (nonce) =>
        errorPage(
          nonce,
          'Request refused',
          'This form was not submitted from the consent page of this server. Start again from your client.',
        ),
      );
    }
    let shown: Awaited<ReturnType<typeof consentView>>;
    try {
      shown = await consentView(req);
    } catch {
      return interactionGone(res);
    }
    const { details, view, formTargets } = shown;
    const csrf = firstParam(req.body.csrf)!;
    const again = (status: number, error: string) =>
      sendPage(res, status, (nonce) => consentPage(nonce, { ...view, csrf, error }), formTargets);
    try {
      if (req.body.decision !== 'approve') {
        logger.info('oauth audit: authorization denied', { audit: 'authorization_denied', client_id: view.clientId, ip: req.ip });
        return await provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'The owner of the server denied the request.' },
          { mergeWithLastSubmission: false },
        );
      }
      const address = ipKeyGenerator(req.ip ?? 'unknown', 56);
      const verdict = await login.verify(req.body, { interactionId: details.uid, address, clientId: view.clientId, request: req });
      if (!verdict.ok) return again(verdict.status, verdict.message);
      const { account } = verdict;
      const chosen = new Set<Scope>(req.body.access === 'write' ? ['read', 'write'] : ['read']);
      // Security: exec is granted only when the owner ticked it on its own (never implied by
      // read or write), the client asked for it, the process tool is on and the account has exec.
      if (view.execRequested && firstParam(req.body.exec) === 'yes') chosen.add('exec');
      const names = new Set(String(details.params.scope ?? '').split(' '));
      const granted = ALL_SCOPES.filter((s) => chosen.has(s) && account.scopes.has(s) && names.has(scopeNames[s]));
      if (granted.length === 0)
        return again(403, `${account.label} cannot grant what this client asks for (it allows: ${[...account.scopes].join(', ')}).`);

      const grant = new provider.Grant({ accountId: account.accountId, clientId: view.clientId });
      const grantedNames = granted.map((s) => scopeNames[s]).join(' ');
      grant.addResourceScope(resource, grantedNames);
      grant.addOIDCScope(names.has('offline_access') ? `${grantedNames} offline_access` : grantedNames);
      // What was asked for and not granted is rejected explicitly, so the provider does not ask again.
      const rejected = ALL_SCOPES.filter((s) => s !== 'exec' || execOffered)
        .filter((s) => names.has(scopeNames[s]) && !granted.includes(s))
        .map((s) => scopeNames[s])
        .join(' ');
      if (rejected) {
        grant.rejectResourceScope(resource, rejected);
        grant.rejectOIDCScope(rejected);
      }
      const grantId: string = await grant.save();
      logger.info('oauth audit: authorization granted', {
        audit: 'authorization_granted',
        client_id: view.clientId,
        client_name: view.clientName,
        redirect_host: view.redirectHost,
        key: account.name,
        scopes: granted,
        grant_id: grantId,
        ip: req.ip,
      });
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: account.accountId, remember: false }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      next(error);
    }
  });

  if (login.router) router.use(login.router);
  router.use(MOUNT, (req, res) => forward(req, res));
  return { router, metadata };
}

function meaningOf(name: string, names: ScopeNames, execOffered: boolean): string {
  if (name === names.read) return 'read files, query the database, search';
  if (name === names.write) return 'change files and data';
  if (name === names.exec && execOffered) return 'run commands in the workspace (sandboxed; asked separately below)';
  if (name === 'offline_access') return 'stay connected (refresh tokens)';
  return 'not used by this server';
}

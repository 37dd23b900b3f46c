import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitInfo } from 'express-rate-limit';
import type { Logger } from 'winston';
import type { ScaleConfig } from '../config/scale.js';
import { ConfigError } from '../config/env.js';
import type { Registry } from '../core/registry.js';
import type { RedisHandle } from '../infra/redis.js';
import { dialectFor } from './dialect.js';
import { sendError } from './errorReply.js';
import { stateOf } from './requestState.js';
import { FailoverStore } from './rateLimitStore.js';
import { recordRateLimited } from '../infra/metrics.js';
import { callsCoveredBy, type RequestCalls } from './rateLimitWeight.js';
import { callNames, replyIds } from './requestFacts.js';

export interface RateLimitOptions {
  scale: ScaleConfig;
  registry: Registry;
  logger: Logger;
  /** Shared counters across replicas; without it each process counts alone. */
  redis?: RedisHandle;
}

export interface RateLimits {
  /** Before authentication: per client IP (IPv6 per /56), guarding the key check against guessing. */
  byIp: RequestHandler[];
  /** After authentication: per caller, then per configured tool. */
  byCaller: RequestHandler[];
  close: () => void;
}

interface Limiter {
  name: string;
  max: number;
  /** Hits this request costs against this limiter (0 = not counted). */
  hits: (req: Request, res: Response) => number;
  key: (req: Request, res: Response) => string;
  /** Why a request costing `hits` > max can never pass (the per-caller limiters; an IP hit is always 1). */
  tooBig?: (hits: number) => string;
  /** Takes the request's hit back once it has finished, when this says so. */
  uncountIf?: (req: Request, res: Response) => boolean;
  message: (retryAfterSeconds: number) => string;
}

const counted = new WeakMap<Request, RequestCalls>();

function clientIp(req: Request): string {
  // Security: `req.ip` believes X-Forwarded-For only for the TRUST_PROXY hops (Express "trust
  // proxy"), so a client cannot name a fresh address per request; IPv6 is grouped per /56 because
  // one subscriber usually holds a whole /56 or /64.
  return ipKeyGenerator(req.ip ?? 'unknown', 56);
}

function callerKey(req: Request, res: Response): string {
  const caller = stateOf(res).caller;
  // Without authentication every caller is "anonymous"; the address is the only identity left.
  if (!caller || caller.via === 'none') return `ip:${clientIp(req)}`;
  return `caller:${caller.id}`;
}

/**
 * Builds the limiters from configuration. Per credential: tool calls (RATE_LIMIT_MAX, with the
 * per-tool limits on top) and protocol messages (RATE_LIMIT_PROTOCOL_MAX) are two budgets, so a
 * client's handshake and listings never eat into the calls it came to make. RATE_LIMIT_MAX=0 turns
 * the call and tool limits off, RATE_LIMIT_PROTOCOL_MAX=0 and RATE_LIMIT_IP_MAX=0 theirs (both
 * default to a multiple of RATE_LIMIT_MAX, so RATE_LIMIT_MAX=0 alone turns everything off).
 */
export function rateLimits(options: RateLimitOptions): RateLimits {
  const { scale, registry } = options;
  const windowText = describeWindow(scale.rateLimitWindowMs);
  const callsOf = (req: Request, res: Response): RequestCalls => {
    let calls = counted.get(req);
    if (!calls) {
      const facts = stateOf(res).facts;
      // An envelope batch over BATCH_MAX_SIZE is refused unrun by the envelope handler (413): there
      // is nothing to charge, and charging it would spend the window on a request that cannot succeed.
      const refusedUnrun = facts?.dialect === 'envelope' && facts.batch && facts.size > scale.batchMaxSize;
      const toolCalls = refusedUnrun ? 0 : (facts?.calls.length ?? 0);
      const protocol = refusedUnrun ? 0 : Math.max(0, (facts?.size ?? 1) - toolCalls);
      counted.set(req, (calls = { toolCalls, protocol, calls: refusedUnrun ? [] : callNames(facts) }));
    }
    return calls;
  };
  for (const { target } of scale.rateLimitTools) {
    const [tool, operation] = target.split('.');
    const known = operation ? registry.byEnvelope(tool!, operation) !== undefined : registry.hasTool(tool!);
    if (!known) throw new ConfigError('RATE_LIMIT_TOOLS', 'entries naming tools and operations this server offers', target);
  }

  // Security: checked before the key check, so guessing keys is throttled; but only requests that
  // did not authenticate stay counted (a valid credential's hit is taken back when it finishes),
  // so many valid keys behind one NAT address never use this budget up. Once guesses have used it
  // up, the address is refused before any key is checked, or the limit would stop slowing them.
  const ipLimiters: Limiter[] =
    scale.rateLimitIpMax > 0
      ? [
          {
            name: 'ip',
            max: scale.rateLimitIpMax,
            hits: () => 1,
            key: (req) => `ip:${clientIp(req)}`,
            uncountIf: (_req, res) => stateOf(res).caller !== undefined,
            message: (s) =>
              `Too many unauthenticated or failed-authentication requests from your network address: at most ${scale.rateLimitIpMax} per ${windowText}. Retry after ${s} s.`,
          },
        ]
      : [];
  const callerLimiters: Limiter[] = [
    ...(scale.rateLimitProtocolMax > 0
      ? [
          {
            name: 'protocol',
            max: scale.rateLimitProtocolMax,
            hits: (req: Request, res: Response) => callsOf(req, res).protocol,
            key: callerKey,
            tooBig: (hits: number) =>
              `This request carries ${hits} protocol messages, more than the ${scale.rateLimitProtocolMax} per ${windowText} this credential may send (RATE_LIMIT_PROTOCOL_MAX)`,
            message: (s: number) =>
              `Rate limit reached: at most ${scale.rateLimitProtocolMax} protocol messages (initialize, notifications, tools/list, ping…) per ${windowText} for this credential. Retry after ${s} s.`,
          },
        ]
      : []),
    ...(scale.rateLimitMax > 0
      ? [
          {
            name: 'caller',
            max: scale.rateLimitMax,
            hits: (req: Request, res: Response) => callsOf(req, res).toolCalls,
            key: callerKey,
            tooBig: (hits: number) =>
              `This request makes ${hits} tool calls, more than the ${scale.rateLimitMax} per ${windowText} this credential may make (RATE_LIMIT_MAX)`,
            message: (s: number) =>
              `Rate limit reached: at most ${scale.rateLimitMax} tool calls per ${windowText} for this credential, and every call in a batch counts. Retry after ${s} s.`,
          },
          ...scale.rateLimitTools.map(
            ({ target, max }): Limiter => ({
              name: target,
              max,
              hits: (req, res) => callsCoveredBy(target, callsOf(req, res).calls),
              key: (req, res) => `${target}:${callerKey(req, res)}`,
              tooBig: (hits) =>
                `This request makes ${hits} calls to ${target}, more than the ${max} per ${windowText} this credential may make there (RATE_LIMIT_TOOLS)`,
              message: (s) =>
                `Rate limit reached for ${target}: at most ${max} calls per ${windowText} for this credential. Retry after ${s} s; other tools can still be called.`,
            }),
          ),
        ]
      : []),
  ];

  /**
   * A request that costs more than a whole window's budget can never succeed: it is refused with
   * 413 before any limiter counts it, instead of a 429 "retry later" that empties the window.
   */
  const neverFits: RequestHandler = function refuseWhatNeverFits(req, res, next) {
    const over = callerLimiters
      .map((limiter) => ({ limiter, hits: limiter.hits(req, res) }))
      .find(({ limiter, hits }) => hits > limiter.max);
    if (!over?.limiter.tooBig) return next();
    const { facts } = stateOf(res);
    sendError(
      res,
      dialectFor(req, res),
      {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: `${over.limiter.tooBig(over.hits)}, so it can never fit the per-window budget; nothing was counted. Split it into batches of at most ${over.limiter.max}.`,
        ...replyIds(facts),
      },
      facts?.envelopeMetadata,
    );
  };

  const stores: FailoverStore[] = [];
  const headers = rateLimitHeaders(scale.rateLimitWindowMs);
  const build = (limiter: Limiter): RequestHandler => {
    const store = new FailoverStore(options.redis, `${options.redis?.prefix ?? ''}rl:${limiter.name}:`);
    stores.push(store);
    const infoProperty = `rateLimit:${limiter.name}`;
    const infoOf = (req: Request) => (req as unknown as Record<string, RateLimitInfo | undefined>)[infoProperty];
    const middleware = rateLimit({
      windowMs: scale.rateLimitWindowMs,
      limit: limiter.max,
      // The draft-8 headers are written by rateLimitHeaders below, with the partition key hashed
      // once per key instead of once per request.
      standardHeaders: false,
      legacyHeaders: false,
      requestPropertyName: infoProperty,
      store,
      // The store already falls back to counting in-process; this only covers a bug in it.
      passOnStoreError: true,
      logger: {
        warn: (error, message) => options.logger.warn(message ?? 'rate limiter', { error: String(error) }),
        error: (error, message) => options.logger.error(message ?? 'rate limiter', { error: String(error) }),
      },
      ...(limiter.uncountIf ? { skipSuccessfulRequests: true, requestWasSuccessful: limiter.uncountIf } : {}),
      keyGenerator: async (req, res) => {
        const key = limiter.key(req, res);
        // express-rate-limit counts one hit per request. A batch costs one per item, so the extra
        // hits are added here, just before the library's own, and its check and headers see the
        // total. Past the limit more hits change nothing, hence the cap.
        const extra = Math.min(limiter.hits(req, res) - 1, limiter.max);
        if (extra > 0) await store.add(key, extra);
        return key;
      },
      handler: (req, res) => {
        const info = infoOf(req);
        if (info) headers.write(res, limiter.name, info);
        const retryAfter = getResetSeconds(info, scale.rateLimitWindowMs);
        res.setHeader('Retry-After', String(retryAfter));
        const { facts } = stateOf(res);
        const dialect = dialectFor(req, res);
        recordRateLimited(dialect);
        sendError(
          res,
          dialect,
          {
            status: 429,
            code: 'RATE_LIMITED',
            message: limiter.message(retryAfter),
            ...replyIds(facts),
          },
          facts?.envelopeMetadata,
        );
      },
    });
    return function limitRequests(req, res, next) {
      // A request that costs nothing against this limiter (a protocol message for the call limiter,
      // a tool call for the protocol one) never enters it.
      if (limiter.hits(req, res) === 0) return next();
      middleware(req, res, (error?: unknown) => {
        // No info when the store failed and the request was let through: then no header either.
        const info = infoOf(req);
        if (info && error === undefined) headers.write(res, limiter.name, info);
        next(error);
      });
    };
  };
  return {
    byIp: ipLimiters.map(build),
    byCaller: callerLimiters.length ? [neverFits, ...callerLimiters.map(build)] : [],
    close: () => {
      for (const store of stores) store.shutdown();
    },
  };
}

/**
 * The IETF draft-8 `RateLimit` / `RateLimit-Policy` headers, as express-rate-limit writes them
 * (`"name"; r=…; t=…` and `"name"; q=…; w=…; pk=:…:`), with each key's partition key computed once:
 * the library hashes the key with SHA-256 on every request, a tenth of a small call's cost.
 */
function rateLimitHeaders(windowMs: number) {
  const windowSeconds = Math.ceil(windowMs / 1000);
  const partitionKeys = new Map<string, string>();
  const partitionKey = (key: string): string => {
    let pk = partitionKeys.get(key);
    if (pk === undefined) {
      // Bounded: a flood of distinct keys (addresses) must not grow this without limit.
      if (partitionKeys.size >= 10_000) partitionKeys.clear();
      pk = Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');
      partitionKeys.set(key, pk);
    }
    return pk;
  };
  const append = (res: Response, name: string, value: string) => {
    const current = res.getHeader(name);
    res.setHeader(name, current === undefined ? value : Array.isArray(current) ? [...current, value] : [String(current), value]);
  };
  return {
    write(res: Response, name: string, info: RateLimitInfo): void {
      if (res.headersSent) return;
      append(res, 'RateLimit', `"${name}"; r=${info.remaining}; t=${getResetSeconds(info, windowMs)}`);
      append(res, 'RateLimit-Policy', `"${name}"; q=${info.limit}; w=${windowSeconds}; pk=:${partitionKey(info.key)}:`);
    },
  };
}

function getResetSeconds(info: RateLimitInfo | undefined, windowMs: number): number {
  if (!info?.resetTime) return Math.ceil(windowMs / 1000);
  return Math.max(0, Math.ceil((info.resetTime.getTime() - Date.now()) / 1000));
}

function describeWindow(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds % 60 === 0 && seconds >= 60 ? `${seconds / 60} min` : `${seconds} s`;
}

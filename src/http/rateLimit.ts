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
 * Builds the limiters from configuration. Per-tool limits apply in addition to the caller's limit;
 * RATE_LIMIT_MAX=0 turns the caller and tool limits off (RATE_LIMIT_IP_MAX=0 the IP limit).
 */
export function rateLimits(options: RateLimitOptions): RateLimits {
  const { scale, registry } = options;
  const windowText = describeWindow(scale.rateLimitWindowMs);
  const callsOf = (req: Request, res: Response): RequestCalls => {
    let calls = counted.get(req);
    if (!calls) {
      const facts = stateOf(res).facts;
      counted.set(req, (calls = { total: facts?.size ?? 1, calls: callNames(facts) }));
    }
    return calls;
  };
  for (const { target } of scale.rateLimitTools) {
    const [tool, operation] = target.split('.');
    const known = operation ? registry.byEnvelope(tool!, operation) !== undefined : registry.hasTool(tool!);
    if (!known) throw new ConfigError('RATE_LIMIT_TOOLS', 'entries naming tools and operations this server offers', target);
  }

  // Security: counted before the key check, so guessing keys costs requests like anything else.
  const ipLimiters: Limiter[] =
    scale.rateLimitIpMax > 0
      ? [
          {
            name: 'ip',
            max: scale.rateLimitIpMax,
            hits: () => 1,
            key: (req) => `ip:${clientIp(req)}`,
            message: (s) =>
              `Too many requests from your network address: at most ${scale.rateLimitIpMax} per ${windowText}. Retry after ${s} s.`,
          },
        ]
      : [];
  const callerLimiters: Limiter[] =
    scale.rateLimitMax > 0
      ? [
          {
            name: 'caller',
            max: scale.rateLimitMax,
            hits: (req, res) => callsOf(req, res).total,
            key: callerKey,
            message: (s) =>
              `Rate limit reached: at most ${scale.rateLimitMax} requests per ${windowText} for this credential, and every item of a batch counts. Retry after ${s} s.`,
          },
          ...scale.rateLimitTools.map(
            ({ target, max }): Limiter => ({
              name: target,
              max,
              hits: (req, res) => callsCoveredBy(target, callsOf(req, res).calls),
              key: (req, res) => `${target}:${callerKey(req, res)}`,
              message: (s) =>
                `Rate limit reached for ${target}: at most ${max} calls per ${windowText} for this credential. Retry after ${s} s; other tools can still be called.`,
            }),
          ),
        ]
      : [];

  const stores: FailoverStore[] = [];
  const build = (limiter: Limiter): RequestHandler => {
    const store = new FailoverStore(options.redis, `${options.redis?.prefix ?? ''}rl:${limiter.name}:`);
    stores.push(store);
    return rateLimit({
      windowMs: scale.rateLimitWindowMs,
      limit: limiter.max,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      identifier: limiter.name,
      store,
      // The store already falls back to counting in-process; this only covers a bug in it.
      passOnStoreError: true,
      logger: {
        warn: (error, message) => options.logger.warn(message ?? 'rate limiter', { error: String(error) }),
        error: (error, message) => options.logger.error(message ?? 'rate limiter', { error: String(error) }),
      },
      skip: (req, res) => limiter.hits(req, res) === 0,
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
        const info = (req as Request & { rateLimit?: RateLimitInfo }).rateLimit;
        const retryAfter = Number(res.getHeader('Retry-After') ?? getResetSeconds(info, scale.rateLimitWindowMs));
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
  };

  return {
    byIp: ipLimiters.map(build),
    byCaller: callerLimiters.map(build),
    close: () => {
      for (const store of stores) store.shutdown();
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

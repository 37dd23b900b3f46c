import type { RedisHandle } from '../../infra/redis.js';

const WINDOW_MS = 15 * 60_000;

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Counts wrong API keys typed on the consent page, per client address and for the whole server,
 * in 15-minute windows; in Redis when it is configured (so replicas share the counts), else (and
 * during a Redis outage) in this process.
 * Security: the consent page is an oracle for "is this an API key"; without a cap it would let
 * anyone online-guess keys. The global cap stops a guesser spread over many addresses; it also
 * locks the owner out for the rest of the window, which is the price of not being guessable
 * (the owner can still use the key directly as a Bearer token).
 */
export class KeyGuessLimiter {
  private readonly byAddress = new Map<string, Window>();
  private global: Window = { count: 0, resetAt: 0 };

  constructor(
    private readonly perAddress: number,
    private readonly overall: number,
    private readonly redis?: RedisHandle,
    private readonly now: () => number = Date.now,
  ) {}

  private keys(address: string): [string, string] {
    const prefix = `${this.redis!.prefix}oauth:keyguess:`;
    return [`${prefix}ip:${address}`, `${prefix}all`];
  }

  /** Undefined when a try is allowed; otherwise the number of seconds until it is. */
  async blocked(address: string): Promise<number | undefined> {
    if (this.redis?.isReady()) {
      try {
        const [own, all] = this.keys(address);
        const [ownCount, allCount, ownTtl, allTtl] = await this.redis.bounded(
          Promise.all([this.redis.client.get(own), this.redis.client.get(all), this.redis.client.pttl(own), this.redis.client.pttl(all)]),
        );
        if (Number(ownCount ?? 0) >= this.perAddress) return Math.ceil(Math.max(ownTtl, 1000) / 1000);
        if (Number(allCount ?? 0) >= this.overall) return Math.ceil(Math.max(allTtl, 1000) / 1000);
        return undefined;
      } catch {
        // Redis failed mid-way: count in this process instead.
      }
    }
    const t = this.now();
    const own = this.current(this.byAddress.get(address), t);
    const all = this.current(this.global, t);
    if (own && own.count >= this.perAddress) return Math.ceil((own.resetAt - t) / 1000);
    if (all && all.count >= this.overall) return Math.ceil((all.resetAt - t) / 1000);
    return undefined;
  }

  /** Counts one wrong key; returns how many tries this address has left in the window. */
  async failed(address: string): Promise<number> {
    if (this.redis?.isReady()) {
      try {
        const [own, all] = this.keys(address);
        const results = await this.redis.bounded(
          this.redis.client.multi().set(own, 0, 'PX', WINDOW_MS, 'NX').incr(own).set(all, 0, 'PX', WINDOW_MS, 'NX').incr(all).exec(),
        );
        const count = Number(results?.[1]?.[1] ?? 0);
        return Math.max(0, this.perAddress - count);
      } catch {
        // fall through to the in-process count
      }
    }
    const t = this.now();
    const own = this.current(this.byAddress.get(address), t) ?? { count: 0, resetAt: t + WINDOW_MS };
    own.count++;
    this.byAddress.set(address, own);
    this.global = this.current(this.global, t) ?? { count: 0, resetAt: t + WINDOW_MS };
    this.global.count++;
    if (this.byAddress.size > 10_000) this.prune(t);
    return Math.max(0, this.perAddress - own.count);
  }

  private current(window: Window | undefined, t: number): Window | undefined {
    return window && window.resetAt > t ? window : undefined;
  }

  private prune(t: number): void {
    for (const [address, window] of this.byAddress) if (window.resetAt <= t) this.byAddress.delete(address);
  }
}

const WINDOW_MS = 15 * 60_000;

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Counts wrong API keys typed on the consent page, per client address and for the whole server,
 * in 15-minute windows.
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
    private readonly now: () => number = Date.now,
  ) {}

  /** Undefined when a try is allowed; otherwise the number of seconds until it is. */
  blocked(address: string): number | undefined {
    const t = this.now();
    const own = this.current(this.byAddress.get(address), t);
    const all = this.current(this.global, t);
    if (own && own.count >= this.perAddress) return Math.ceil((own.resetAt - t) / 1000);
    if (all && all.count >= this.overall) return Math.ceil((all.resetAt - t) / 1000);
    return undefined;
  }

  /** Counts one wrong key; returns how many tries this address has left in the window. */
  failed(address: string): number {
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

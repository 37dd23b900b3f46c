import { MemoryStore, type IncrementResponse, type Options, type Store } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { RedisHandle } from '../infra/redis.js';

const REBUILD_BACKOFF_MS = 1000;

/**
 * express-rate-limit store that counts in Redis (rate-limit-redis) while Redis answers, and in
 * this process while it does not. It never throws and never waits longer than the Redis time
 * limit, so an outage degrades limits to per-replica instead of failing or holding requests.
 */
export class FailoverStore implements Store {
  readonly localKeys = false;
  private readonly memory = new MemoryStore();
  private options?: Options;
  private shared?: { epoch: number; store: Promise<RedisStore | undefined> };
  private lastFailure = 0;

  constructor(
    private readonly redis: RedisHandle | undefined,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.options = options;
    this.memory.init(options);
  }

  increment(key: string): Promise<IncrementResponse> {
    return this.add(key, 1);
  }

  /** Counts `hits` at once (a batch); answers like increment() after the last of them. */
  async add(key: string, hits: number): Promise<IncrementResponse> {
    const shared = await this.sharedStore();
    if (shared && this.redis) {
      try {
        const results = await this.redis.bounded(Promise.all(Array.from({ length: hits }, () => shared.increment(key))));
        return results.reduce((a, b) => (b.totalHits > a.totalHits ? b : a));
      } catch {
        this.failed();
      }
    }
    let last: IncrementResponse = await this.memory.increment(key);
    for (let i = 1; i < hits; i++) last = await this.memory.increment(key);
    return last;
  }

  async decrement(key: string): Promise<void> {
    await this.both((store) => store.decrement(key));
  }

  async resetKey(key: string): Promise<void> {
    await this.both((store) => store.resetKey(key));
  }

  async get(key: string) {
    const shared = await this.sharedStore();
    if (shared && this.redis) {
      try {
        return await this.redis.bounded(shared.get(key));
      } catch {
        this.failed();
      }
    }
    return this.memory.get(key);
  }

  shutdown(): void {
    this.memory.shutdown();
  }

  private async both(work: (store: Store) => Promise<void> | void): Promise<void> {
    await work(this.memory);
    const shared = await this.sharedStore();
    if (shared && this.redis) await this.redis.bounded(Promise.resolve(work(shared))).catch(() => this.failed());
  }

  /**
   * The Redis store for the current connection. It is rebuilt after every reconnect because
   * rate-limit-redis loads its scripts once in init() and keeps a failed load forever.
   */
  private async sharedStore(): Promise<RedisStore | undefined> {
    const redis = this.redis;
    if (!redis || !this.options || !(await redis.ready())) return undefined;
    const epoch = redis.epoch();
    if (this.shared?.epoch !== epoch) {
      if (Date.now() - this.lastFailure < REBUILD_BACKOFF_MS) return undefined;
      const store = new RedisStore({
        prefix: this.prefix,
        sendCommand: (command: string, ...args: string[]) => redis.client.call(command, args) as Promise<RedisReply>,
      });
      const options = this.options;
      this.shared = {
        epoch,
        store: redis.bounded(store.init(options)).then(
          () => store,
          () => {
            this.failed();
            return undefined;
          },
        ),
      };
    }
    return this.shared.store;
  }

  private failed(): void {
    this.lastFailure = Date.now();
    this.shared = undefined;
  }
}

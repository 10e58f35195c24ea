import type { Redis } from 'ioredis';
import { RateLimitedError } from './errors.ts';

/**
 * A fixed-window counter per key in Redis: one INCR (and PEXPIRE on the first hit) per
 * request, shared by every instance of a service. Fixed windows allow a burst of up to twice
 * the limit across a window edge; for an abuse guard on agency systems that is acceptable and
 * costs one round trip.
 */
export class RedisRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly opts: { prefix: string; limit: number; windowMs: number },
  ) {}

  /** Counts one hit for `key`; throws {@link RateLimitedError} with Retry-After when over. */
  async hit(key: string, weight = 1): Promise<{ remaining: number; resetMs: number }> {
    const window = Math.floor(Date.now() / this.opts.windowMs);
    const redisKey = `${this.opts.prefix}:${key}:${window}`;
    const results = await this.redis
      .multi()
      .incrby(redisKey, weight)
      .pexpire(redisKey, this.opts.windowMs, 'NX')
      .exec();
    const count = Number(results?.[0]?.[1] ?? 0);
    const resetMs = (window + 1) * this.opts.windowMs - Date.now();
    if (count > this.opts.limit) {
      throw new RateLimitedError(
        `at most ${this.opts.limit} requests per ${this.opts.windowMs / 1000} s for this agency; retry after the window resets`,
        Math.max(1, Math.ceil(resetMs / 1000)),
      );
    }
    return { remaining: this.opts.limit - count, resetMs };
  }
}

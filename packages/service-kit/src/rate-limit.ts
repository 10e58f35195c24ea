import type { Redis } from 'ioredis';
import { RateLimitedError } from './errors.ts';

/**
 * Counts a hit in the key's window and, on its first hit, gives the window its expiry: one
 * script, so one command and one reply (a MULTI of INCRBY and PEXPIRE is four of each).
 */
const HIT = `local n = redis.call('incrby', KEYS[1], ARGV[1])
if n == tonumber(ARGV[1]) then redis.call('pexpire', KEYS[1], ARGV[2]) end
return n`;

/** The script as a command of the connection (EVALSHA, loaded on first use). */
type WithHit = Redis & { homewardRateHit(key: string, weight: number, windowMs: number): Promise<number> };

/**
 * A fixed-window counter per key in Redis: one script call per request (INCRBY, and PEXPIRE on
 * the window's first hit), shared by every instance of a service. Fixed windows allow a burst
 * of up to twice the limit across a window edge; for an abuse guard on agency systems that is
 * acceptable and costs one round trip.
 */
export class RedisRateLimiter {
  private readonly redis: WithHit;

  constructor(
    redis: Redis,
    private readonly opts: { prefix: string; limit: number; windowMs: number },
  ) {
    if (!('homewardRateHit' in redis)) redis.defineCommand('homewardRateHit', { numberOfKeys: 1, lua: HIT });
    this.redis = redis as WithHit;
  }

  /** Counts one hit for `key`; throws {@link RateLimitedError} with Retry-After when over. */
  async hit(key: string, weight = 1): Promise<{ remaining: number; resetMs: number }> {
    const window = Math.floor(Date.now() / this.opts.windowMs);
    const redisKey = `${this.opts.prefix}:${key}:${window}`;
    const count = Number(await this.redis.homewardRateHit(redisKey, weight, this.opts.windowMs));
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

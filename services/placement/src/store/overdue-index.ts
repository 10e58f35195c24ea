import type { Redis } from 'ioredis';

/**
 * The overdue schedule's index in Redis: a sorted set of caseId → the moment (ms) its earliest
 * open follow-up not yet raised becomes overdue. A check reads only what is due
 * (ZRANGEBYSCORE, O(log n + due)) instead of reading every case. MongoDB stays the truth:
 * writers only ever move a score earlier (`ZADD LT`), the checker sets the exact score (or
 * removes the entry) after reading the case, and the index is rebuilt from MongoDB at start,
 * so an entry lost in a crash comes back and a stale one costs one read by `_id`.
 */
export class OverdueIndex {
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}placement:followups-due`;
  }

  /** Brings a case's entry forward to `at` (never later); a no-op for `undefined`. */
  async bringForward(caseId: string, at: Date | undefined): Promise<void> {
    if (at) await this.redis.zadd(this.key, 'LT', at.getTime(), caseId);
  }

  /** Many at once (the rebuild at start). */
  async bringForwardAll(entries: Array<[string, Date]>): Promise<void> {
    for (let i = 0; i < entries.length; i += 1000) {
      const args = entries.slice(i, i + 1000).flatMap(([id, at]) => [at.getTime(), id]);
      if (args.length) await this.redis.zadd(this.key, 'LT', ...args);
    }
  }

  /** Sets the exact score, or removes the entry when nothing is left to watch. */
  async set(caseId: string, at: Date | undefined): Promise<void> {
    if (at) await this.redis.zadd(this.key, at.getTime(), caseId);
    else await this.redis.zrem(this.key, caseId);
  }

  /** Cases with something due at `now`, earliest first. */
  due(now: Date, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.key, '-inf', now.getTime(), 'LIMIT', 0, limit);
  }

  size(): Promise<number> {
    return this.redis.zcard(this.key);
  }
}

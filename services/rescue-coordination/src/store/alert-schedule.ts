import type { Redis } from 'ioredis';

/**
 * The escalation schedule's index in Redis: a sorted set of alertId → next due time (ms), so a
 * tick reads only the due alerts (ZRANGEBYSCORE) instead of scanning the alerts collection
 * (FerretDB would read it whole). MongoDB's `nextDueAt` stays the truth; this index is rebuilt
 * from it at start, and an entry that disagrees with it is corrected when it comes due.
 */
export class AlertSchedule {
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}rescue-coordination:alert-schedule`;
  }

  /** Sets (or with null removes) an alert's next due time. */
  async set(alertId: string, dueAt: Date | null): Promise<void> {
    if (dueAt === null) await this.redis.zrem(this.key, alertId);
    else await this.redis.zadd(this.key, dueAt.getTime(), alertId);
  }

  /** The alerts due at `now`, earliest first, at most `limit`. */
  due(now: Date, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.key, '-inf', now.getTime(), 'LIMIT', 0, limit);
  }

  size(): Promise<number> {
    return this.redis.zcard(this.key);
  }
}

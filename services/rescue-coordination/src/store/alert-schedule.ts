import type { Redis } from 'ioredis';

/**
 * The escalation schedule's index in Redis: a sorted set of alertId → next due time (ms), so a
 * tick reads only the due alerts (ZRANGEBYSCORE) instead of scanning the cases (FerretDB would
 * read them whole). The case documents stay the truth (each alert's `nextDueAt`); this index is
 * rebuilt from them at start, and an entry that disagrees is corrected when it comes due.
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

  /** Adds entries, or moves them earlier, never later (the rebuild at start). */
  async bringForwardAll(entries: Iterable<readonly [string, Date]>): Promise<void> {
    const args = [...entries].flatMap(([id, at]) => [at.getTime(), id]);
    if (args.length > 0) await this.redis.zadd(this.key, 'LT', ...args);
  }

  /** The alerts due at `now`, earliest first, at most `limit`. */
  due(now: Date, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.key, '-inf', now.getTime(), 'LIMIT', 0, limit);
  }

  size(): Promise<number> {
    return this.redis.zcard(this.key);
  }
}

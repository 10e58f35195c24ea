import type { Redis } from 'ioredis';

/**
 * An index of id → the moment something about it comes due, so a periodic pass reads only what
 * is due (O(log n + due)) instead of scanning a collection (FerretDB would read it whole).
 * MongoDB stays the truth: the index is rebuilt from it at start, and an entry that disagrees
 * with it costs one read by `_id` when it comes due, after which the handler sets it right.
 */
export interface DueIndex {
  /** Sets an id's exact due time; `null` (or `undefined`) removes the id. */
  set(id: string, at: Date | null | undefined): Promise<void>;
  /**
   * Moves an id's due time earlier, never later (adds the id when absent); a no-op for `null`
   * or `undefined`. Writers that only ever bring an entry forward cannot hide an earlier due
   * time another writer set; the pass that handles the id then sets the exact time.
   */
  bringForward(id: string, at: Date | null | undefined): Promise<void>;
  /** `bringForward` for many ids at once (the rebuild at start). */
  bringForwardAll(entries: Iterable<readonly [string, Date]>): Promise<void>;
  /** The ids due at `now` (due time ≤ now), earliest first (ties by id), at most `limit`. */
  due(now: Date, limit: number): Promise<string[]>;
  /** How many ids the index holds, due or not. */
  size(): Promise<number>;
}

export interface RedisDueIndexOptions {
  /** The deployment's key prefix (its TOPIC_PREFIX: tests and tenants isolate keys with it). */
  prefix: string;
  /** The index's name within the deployment, e.g. `placement:followups-due`. */
  name: string;
}

/** Members per ZADD in `bringForwardAll`, so a rebuild of many ids never sends one huge command. */
const CHUNK = 1000;

/** The `DueIndex` in Redis: one sorted set, member = id, score = due time in epoch ms. */
export class RedisDueIndex implements DueIndex {
  /** The sorted set's key: prefix + name. */
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    opts: RedisDueIndexOptions,
  ) {
    this.key = `${opts.prefix}${opts.name}`;
  }

  async set(id: string, at: Date | null | undefined): Promise<void> {
    if (at) await this.redis.zadd(this.key, at.getTime(), id);
    else await this.redis.zrem(this.key, id);
  }

  async bringForward(id: string, at: Date | null | undefined): Promise<void> {
    // ZADD LT (Redis 6.2) updates only to a lower score and still adds a new member.
    if (at) await this.redis.zadd(this.key, 'LT', at.getTime(), id);
  }

  async bringForwardAll(entries: Iterable<readonly [string, Date]>): Promise<void> {
    const all = [...entries];
    for (let i = 0; i < all.length; i += CHUNK) {
      const args = all.slice(i, i + CHUNK).flatMap(([id, at]) => [at.getTime(), id]);
      if (args.length > 0) await this.redis.zadd(this.key, 'LT', ...args);
    }
  }

  due(now: Date, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.key, '-inf', now.getTime(), 'LIMIT', 0, limit);
  }

  size(): Promise<number> {
    return this.redis.zcard(this.key);
  }
}

/**
 * The `DueIndex` in memory, with the Redis index's semantics (the same contract test runs over
 * both), for unit tests of services that need no infrastructure.
 */
export class MemoryDueIndex implements DueIndex {
  private readonly scores = new Map<string, number>();

  async set(id: string, at: Date | null | undefined): Promise<void> {
    if (at) this.scores.set(id, at.getTime());
    else this.scores.delete(id);
  }

  async bringForward(id: string, at: Date | null | undefined): Promise<void> {
    if (!at) return;
    const current = this.scores.get(id);
    if (current === undefined || at.getTime() < current) this.scores.set(id, at.getTime());
  }

  async bringForwardAll(entries: Iterable<readonly [string, Date]>): Promise<void> {
    for (const [id, at] of entries) await this.bringForward(id, at);
  }

  async due(now: Date, limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    const t = now.getTime();
    return [...this.scores]
      .filter(([, score]) => score <= t)
      .sort(([a, sa], [b, sb]) => sa - sb || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit)
      .map(([id]) => id);
  }

  async size(): Promise<number> {
    return this.scores.size;
  }
}

import type { Redis } from 'ioredis';

/** One entry of a unit's live channel. */
export interface FeedEntry {
  id: string;
  type: string;
  data: string;
}

/**
 * A unit's recent alerts for its terminal: a Redis stream per unit, capped (XADD MAXLEN ~), so
 * a terminal that reconnects with `Last-Event-ID` gets what it missed from the bounded history.
 */
export class UnitFeed {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxLen: number,
  ) {}

  key(unitId: string): string {
    return `${this.prefix}unit:${unitId}:feed`;
  }

  /** Appends one event (already encoded) to many units' streams in one round trip. */
  async append(unitIds: string[], type: string, body: string): Promise<void> {
    if (unitIds.length === 0) return;
    const pipe = this.redis.pipeline();
    for (const u of unitIds)
      pipe.xadd(this.key(u), 'MAXLEN', '~', String(this.maxLen), '*', 'type', type, 'data', body);
    await pipe.exec();
  }

  /** Entries after `afterId` (exclusive), oldest first. */
  async since(unitId: string, afterId: string, count = 1000): Promise<FeedEntry[]> {
    const rows = await this.redis.xrange(this.key(unitId), `(${afterId}`, '+', 'COUNT', count);
    return rows.map(toEntry);
  }

  /** The id of the newest entry, or `0-0` for an empty stream. */
  async lastId(unitId: string): Promise<string> {
    const rows = await this.redis.xrevrange(this.key(unitId), '+', '-', 'COUNT', 1);
    return rows[0]?.[0] ?? '0-0';
  }

  /** Waits up to `blockMs` for entries after `afterId`, on a connection of the caller's own. */
  async wait(conn: Redis, unitId: string, afterId: string, blockMs: number): Promise<FeedEntry[]> {
    const res = (await conn.xread(
      'COUNT',
      100,
      'BLOCK',
      blockMs,
      'STREAMS',
      this.key(unitId),
      afterId,
    )) as Array<[string, Array<[string, string[]]>]> | null;
    return res?.[0]?.[1].map(toEntry) ?? [];
  }
}

function toEntry([id, fields]: [string, string[]]): FeedEntry {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  return { id, type: map.get('type') ?? 'message', data: map.get('data') ?? '' };
}

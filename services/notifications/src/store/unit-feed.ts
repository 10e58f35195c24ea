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
 * The kit's `SseHub` reads these streams for the terminals.
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
}

/** Reads one stream entry (its id and field list) as a live-channel entry. */
export function parseFeedEntry(id: string, fields: string[]): FeedEntry {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  return { id, type: map.get('type') ?? 'message', data: map.get('data') ?? '' };
}

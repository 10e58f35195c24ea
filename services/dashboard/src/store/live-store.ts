import { createHash, randomBytes } from 'node:crypto';
import type { IdempotencyStore } from '@homeward/messaging';
import type { Principal } from '@homeward/service-kit';
import type { Redis } from 'ioredis';
import { type Board, buildBoard, type RawBoard } from '../domain/board.ts';
import type { Facets } from '../domain/filters.ts';
import type { LiveKeys, RedisOp } from '../domain/live-ops.ts';

/** One entry of the history stream: its id (the SSE event id), facets, and the view as JSON. */
export interface HistoryEntry {
  id: string;
  facets: Facets;
  json: string;
}

type RawEntry = [id: string, fields: string[]];

export function parseEntry([id, fields]: RawEntry): HistoryEntry {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  const facets: Facets = { type: f.t ?? '' };
  if (f.r) facets.region = f.r;
  if (f.c) facets.caseId = f.c;
  return { id, facets, json: f.v ?? '{}' };
}

/**
 * Runs a projection once per event: `SET NX` on the event key, then every command, in one
 * script, so a redelivery (or a second instance racing) changes nothing and a crash leaves
 * all or none of it. Keys are passed inside ARGV: this needs a single Redis node (or one hash
 * slot), which is how the platform runs Redis.
 */
const PROJECT_SCRIPT = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
local ops = cjson.decode(ARGV[2])
for _, op in ipairs(ops) do redis.call(unpack(op)) end
return 1
`;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The dashboard's live projections in Redis: history, counters, board state, sessions. */
export class LiveStore {
  constructor(
    private readonly redis: Redis,
    readonly keys: LiveKeys,
    private readonly seenTtlSeconds: number,
  ) {
    if (!('dashboardProject' in redis))
      redis.defineCommand('dashboardProject', { numberOfKeys: 1, lua: PROJECT_SCRIPT });
  }

  /** Applies the commands unless this event was applied before; true when applied now. */
  async project(eventKey: string, ops: RedisOp[]): Promise<boolean> {
    const [applied] = await this.projectAll([{ eventKey, ops }]);
    return applied === true;
  }

  /**
   * {@link LiveStore.project} for several events in one pipeline (one round trip): each event's
   * script on its own, run in the order given. A command error in one script fails the call
   * after the pipeline ran (the other scripts applied; their `SET NX` keys absorb a retry).
   */
  async projectAll(projections: ReadonlyArray<{ eventKey: string; ops: RedisOp[] }>): Promise<boolean[]> {
    const pipeline = this.redis.pipeline() as unknown as Record<string, (...a: unknown[]) => unknown> & {
      exec(): Promise<Array<[Error | null, unknown]> | null>;
    };
    for (const { eventKey, ops } of projections)
      pipeline.dashboardProject!(this.keys.seen(eventKey), String(this.seenTtlSeconds), JSON.stringify(ops));
    const results = (await pipeline.exec()) ?? [];
    return projections.map((_, i) => {
      const [err, res] = results[i] ?? [new Error('no reply from the projection pipeline'), undefined];
      if (err) throw err;
      return res === 1;
    });
  }

  /** Whether an event's projection has run (its `SET NX` key exists). */
  async seen(eventKey: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.seen(eventKey))) === 1;
  }

  /** Counts for `GET /v1/stats`: total, per topic, per event type. */
  async stats(): Promise<{ total: number; byTopic: Record<string, number>; byType: Record<string, number> }> {
    const raw = await this.redis.hgetall(this.keys.stats);
    const byTopic: Record<string, number> = {};
    const byType: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw)) {
      if (k.startsWith('topic:')) byTopic[k.slice(6)] = Number(v);
      else if (k.startsWith('type:')) byType[k.slice(5)] = Number(v);
    }
    return { total: Number(raw.total ?? 0), byTopic, byType };
  }

  /** The board; `unitInScope` keeps the units of the caller's region (every unit when absent). */
  async board(
    now: Date,
    sampleOverdueHours: number,
    unitInScope?: (region: string) => boolean,
  ): Promise<Board> {
    const k = this.keys;
    const p = this.redis.pipeline();
    for (const key of [
      k.caseStatus,
      k.caseRegion,
      k.sampleStep,
      k.sampleAt,
      k.matchStatus,
      k.matchInfo,
      k.placementType,
      k.followupStatus,
      k.followupInfo,
      k.overdueClocks,
    ])
      p.hgetall(key);
    p.smembers(k.activeAlerts);
    p.hgetall(k.victims);
    p.hgetall(k.annualReports);
    p.hgetall(k.units);
    const res = (await p.exec()) ?? [];
    const val = <T>(i: number) => {
      const [err, v] = res[i] ?? [null, undefined];
      if (err) throw err;
      return v as T;
    };
    const alertIds = val<string[]>(10) ?? [];
    const ap = this.redis.pipeline();
    const PER_ALERT = 6;
    for (const id of alertIds)
      ap.hgetall(k.alert(id))
        .lrange(k.alertSteps(id), 0, -1)
        .lrange(k.alertTimeline(id), 0, -1)
        .smembers(k.alertUnits(id, 'n'))
        .smembers(k.alertUnits(id, 'a'))
        .smembers(k.alertUnits(id, 'f'));
    const ar = alertIds.length > 0 ? ((await ap.exec()) ?? []) : [];
    const raw: RawBoard = {
      caseStatus: val(0),
      caseRegion: val(1),
      sampleStep: val(2),
      sampleAt: val(3),
      matchStatus: val(4),
      matchInfo: val(5),
      placementType: val(6),
      followupStatus: val(7),
      followupInfo: val(8),
      overdueClocks: val(9) ?? {},
      victims: val(11),
      annualReports: val(12) ?? {},
      units: val(13) ?? {},
      alerts: alertIds.map((alertId, i) => {
        const at = <T>(j: number, empty: T) => (ar[i * PER_ALERT + j]?.[1] as T) ?? empty;
        return {
          alertId,
          hash: at<Record<string, string>>(0, {}),
          steps: at<string[]>(1, []),
          timeline: at<string[]>(2, []),
          units: {
            notified: at<string[]>(3, []),
            acknowledged: at<string[]>(4, []),
            failed: at<string[]>(5, []),
          },
        };
      }),
    };
    return buildBoard(raw, now, sampleOverdueHours, unitInScope);
  }

  /**
   * A short-lived session for the browser: `EventSource` cannot send an Authorization header,
   * so the page trades its API key for a random token it may put in the stream's URL. Only
   * the token's digest is stored, in Redis, so every instance accepts it.
   */
  async createSession(principal: Principal, ttlSeconds: number): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    await this.redis.set(this.keys.session(sha256(token)), JSON.stringify(principal), 'EX', ttlSeconds);
    return token;
  }

  async resolveSession(token: string): Promise<Principal | undefined> {
    const raw = await this.redis.get(this.keys.session(sha256(token)));
    return raw ? (JSON.parse(raw) as Principal) : undefined;
  }
}

/**
 * The consumer runner's duplicate check, answered from the projection's own `SET NX` keys in
 * Redis instead of a MongoDB collection: the projection is idempotent by itself (every step
 * is guarded per event key), so the runner only needs a fast way to skip what was fully
 * applied, and recording is the projection script's last act. A point read in Redis instead of
 * a read and an insert in MongoDB per event is what keeps up with hundreds of events a second.
 */
export class ProjectionGuard implements IdempotencyStore {
  constructor(private readonly live: LiveStore) {}

  has(_group: string, eventKey: string): Promise<boolean> {
    return this.live.seen(eventKey);
  }

  async add(): Promise<void> {
    // Recorded by the projection script itself, atomically with the projection.
  }
}

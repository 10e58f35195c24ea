import type { Logger } from '@homeward/service-kit';
import type { Redis } from 'ioredis';
import { EARTH_RADIUS_KM, haversineKm, type LatLon, PRESELECT_MARGIN } from '../domain/geo.ts';
import { splitList } from './joined-list.ts';
import type { RegistryMeta, UnitDoc, UnitStore } from './unit-store.ts';

/** Where a unit's webhook goes: what fan-out reads for thousands of units in one round trip. */
export interface UnitTarget {
  url: string;
  secret: string;
}

/**
 * The Redis side of the unit registry: a GEO set for radius search, a hash of webhook targets,
 * and the generation and count of the MongoDB registry it was built from. MongoDB is the truth;
 * at start (and before the first fan-out) the index is rebuilt when it is missing or when its
 * generation or count differs from MongoDB's. Every search also checks, in the same script, that
 * the GEO set holds as many units as the count beside it: Redis that lost its data while the
 * service runs (or a unit written since then, alone in an empty set) is found by the next alert,
 * which rebuilds the index and searches again, instead of reaching nobody.
 */
export class UnitIndex {
  private readonly geoKey: string;
  /** The hash of webhook targets (unit id → JSON), read by the claim script for claimed units. */
  readonly targetsKey: string;
  /** The hash of the index's generation and count, which the claim script checks too. */
  readonly metaKey: string;
  private synced: Promise<void> | undefined;
  /** Set once synced: searches then go to Redis at once, not a microtask later. */
  private ready = false;

  private readonly redis: WithSearch;

  constructor(
    redis: Redis,
    private readonly store: UnitStore,
    private readonly logger: Logger,
    prefix: string,
  ) {
    if (!(redis as unknown as Partial<WithSearch>).hwSearch)
      redis.defineCommand('hwSearch', { numberOfKeys: 2, lua: SEARCH_SCRIPT });
    this.redis = redis as unknown as WithSearch;
    this.geoKey = `${prefix}units:geo`;
    this.targetsKey = `${prefix}units:targets`;
    this.metaKey = `${prefix}units:meta`;
  }

  /** Rebuilds the index once per process if it is stale; later calls share the first result. */
  ensureSynced(): Promise<void> {
    const synced =
      this.synced ??
      this.syncFromStore().then(
        () => {
          this.ready = true;
        },
        (err: unknown) => {
          this.synced = undefined;
          throw err;
        },
      );
    this.synced = synced;
    return synced;
  }

  /** Compares generations and rebuilds from MongoDB when they differ. Returns whether it rebuilt. */
  async syncFromStore(): Promise<boolean> {
    const [meta, stored, geo, targets] = await Promise.all([
      this.store.readMeta(),
      this.redis.hgetall(this.metaKey),
      this.redis.zcard(this.geoKey),
      this.redis.hlen(this.targetsKey),
    ]);
    const fresh =
      stored.generation !== undefined &&
      Number(stored.generation) === meta.generation &&
      Number(stored.count) === meta.count &&
      geo === meta.count &&
      targets === meta.count;
    if (fresh) return false;
    await this.rebuild(meta);
    return true;
  }

  /** Builds the index in temporary keys and swaps them in, so readers never see half of it. */
  private async rebuild(meta: RegistryMeta): Promise<void> {
    const units = await this.store.all();
    const suffix = `:rebuild:${process.pid}:${Date.now()}`;
    const geoTmp = `${this.geoKey}${suffix}`;
    const targetsTmp = `${this.targetsKey}${suffix}`;
    const pipe = this.redis.pipeline();
    for (const u of units) {
      pipe.geoadd(geoTmp, u.location.lon, u.location.lat, u._id);
      pipe.hset(targetsTmp, u._id, JSON.stringify(targetOf(u)));
    }
    await pipe.exec();
    const swap = this.redis.multi();
    if (units.length > 0) {
      swap.rename(geoTmp, this.geoKey);
      swap.rename(targetsTmp, this.targetsKey);
    } else {
      swap.del(this.geoKey, this.targetsKey);
    }
    swap.hset(this.metaKey, { generation: meta.generation, count: units.length });
    await swap.exec();
    this.logger.info({ units: units.length, generation: meta.generation }, 'unit index rebuilt from MongoDB');
  }

  async put(unit: UnitDoc, meta: RegistryMeta): Promise<void> {
    await this.redis
      .multi()
      .geoadd(this.geoKey, unit.location.lon, unit.location.lat, unit._id)
      .hset(this.targetsKey, unit._id, JSON.stringify(targetOf(unit)))
      .hset(this.metaKey, { generation: meta.generation, count: meta.count })
      .exec();
  }

  async remove(unitId: string, meta: RegistryMeta): Promise<void> {
    await this.redis
      .multi()
      .zrem(this.geoKey, unitId)
      .hdel(this.targetsKey, unitId)
      .hset(this.metaKey, { generation: meta.generation, count: meta.count })
      .exec();
  }

  /**
   * Units inside the circle, judged by the domain's haversine on the indexed coordinates (geohash
   * precision, well under a metre), so the boundary is the domain's, not Redis' Earth radius.
   * Redis pre-selects with a slightly wider radius and answers each unit's distance, which is the
   * same haversine on the same coordinates with its own radius: scaled to the domain's, it decides
   * every unit but those within a metre of the boundary, whose coordinates are then read and
   * judged exactly. (Reading every unit's coordinates and computing each distance here cost the
   * first webhook of a 10,000-unit alert several milliseconds.)
   */
  async within(center: LatLon, radiusKm: number): Promise<string[]> {
    const [insideJoined, nearJoined] = await this.preselect(center, radiusKm, 0);
    const inside = splitList(insideJoined);
    const near = splitList(nearJoined);
    if (near.length > 0) {
      const coords = (await this.redis.geopos(this.geoKey, ...near)) as Array<[string, string] | null>;
      for (let i = 0; i < near.length; i++) {
        const c = coords[i];
        if (c && haversineKm(center, { lat: Number(c[1]), lon: Number(c[0]) }) <= radiusKm)
          inside.push(near[i]!);
      }
    }
    return inside;
  }

  /**
   * At most `count` units surely inside the circle (by Redis' distance, scaled, more than a metre
   * inside), whichever Redis finds first: what a fan-out claims and sends to while `within`
   * answers. `GEOSEARCH … COUNT n ANY` stops at the n-th match (measured on 10,000 units inside:
   * 0.3 ms against 9-20 ms for the whole search and its answer, 2.5 ms for the nearest 100). Units
   * near the boundary are left to `within`, so every unit this returns, `within` returns too.
   */
  async someWithin(center: LatLon, radiusKm: number, count: number): Promise<string[]> {
    return splitList((await this.preselect(center, radiusKm, count))[0]);
  }

  /**
   * Redis' pre-selection, judged in Redis by its distances scaled to the domain's: the units
   * surely inside, and those within a metre of the boundary (left for their coordinates), each
   * list joined by newlines. Judged there, not here: the answer is two strings, not a pair per
   * unit for this process to read (10,000 arrays and 20,000 strings for a 10,000-unit alert, on
   * the fan-out's thread as its first webhooks go). The sums and products are the same IEEE
   * doubles in Lua as here, on the same distances Redis prints, so the judgement is unchanged.
   * `count` > 0: at most that many units, whichever Redis finds first (`COUNT n ANY`).
   */
  private async preselect(center: LatLon, radiusKm: number, count: number): Promise<[string, string]> {
    if (!this.ready) await this.ensureSynced();
    return this.orRebuilt(() => this.search(center, radiusKm, count));
  }

  /**
   * Runs a script that answers INDEX_LOST when Redis lost the index (this search, the fan-out's
   * claim): then rebuilds the index from MongoDB and runs it again.
   */
  async orRebuilt<R>(run: () => Promise<R | typeof INDEX_LOST>): Promise<R> {
    const found = await run();
    if (found !== INDEX_LOST) return found;
    this.logger.warn('unit index lost or out of step with its count in Redis; rebuilding it from MongoDB');
    await this.resync();
    const again = await run();
    // Lost again at once (Redis going away and back): a retriable failure, not an empty answer.
    if (again === INDEX_LOST) throw new Error('the unit index in Redis was lost again while rebuilding it');
    return again;
  }

  /**
   * Rebuilds after a script found the index lost: one rebuild for every script that found it so
   * (they share the first's), later ones only after it is done.
   */
  private resync(): Promise<void> {
    if (this.ready) {
      this.ready = false;
      this.synced = undefined;
    }
    return this.ensureSynced();
  }

  private search(
    center: LatLon,
    radiusKm: number,
    count: number,
  ): Promise<[string, string] | typeof INDEX_LOST> {
    return this.redis.hwSearch(
      this.geoKey,
      this.metaKey,
      String(center.lon),
      String(center.lat),
      String(radiusKm * PRESELECT_MARGIN),
      String(REDIS_TO_DOMAIN),
      String(radiusKm - BOUNDARY_KM),
      String(radiusKm + BOUNDARY_KM),
      String(count),
    );
  }
}

/** What the search and the fan-out's claim answer when Redis holds fewer units than its count says. */
export const INDEX_LOST = 'index-lost';

/**
 * The radius search (see `UnitIndex.preselect`). KEYS: [1] the GEO set, [2] the index's meta
 * hash. ARGV: longitude, latitude, pre-selection radius (km), Redis' km to the domain's, the
 * inside and the near bound (km, domain), count (0: all). Answers INDEX_LOST instead when the meta
 * hash is gone or its count is not the GEO set's size (both O(1)).
 */
const SEARCH_SCRIPT = `
local units = redis.call('HGET', KEYS[2], 'count')
if not units or tonumber(units) ~= redis.call('ZCARD', KEYS[1]) then return '${INDEX_LOST}' end
local args = {'GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[1], ARGV[2], 'BYRADIUS', ARGV[3], 'km', 'WITHDIST'}
if tonumber(ARGV[7]) > 0 then
  args[#args + 1] = 'COUNT'
  args[#args + 1] = ARGV[7]
  args[#args + 1] = 'ANY'
end
local rows = redis.call(unpack(args))
local scale, inner, outer = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local inside, near = {}, {}
for i = 1, #rows do
  local km = tonumber(rows[i][2]) * scale
  if km <= inner then
    inside[#inside + 1] = rows[i][1]
  elseif km <= outer then
    near[#near + 1] = rows[i][1]
  end
end
return {table.concat(inside, '\\n'), table.concat(near, '\\n')}
`;

type WithSearch = Redis & {
  hwSearch(
    geoKey: string,
    metaKey: string,
    lon: string,
    lat: string,
    preselectKm: string,
    scale: string,
    innerKm: string,
    outerKm: string,
    count: string,
  ): Promise<[string, string] | typeof INDEX_LOST>;
};

/** Redis GEO's Earth radius (km): its distances are haversines on this sphere. */
const REDIS_EARTH_RADIUS_KM = 6372.797560856;
/** A Redis distance, as the domain's haversine on the same coordinates. */
const REDIS_TO_DOMAIN = EARTH_RADIUS_KM / REDIS_EARTH_RADIUS_KM;
/**
 * Units within this of the boundary by Redis' distance (printed to 0.1 m) are judged on their
 * coordinates instead.
 */
const BOUNDARY_KM = 0.001;

/** A target as the targets hash stores it; undefined for '' (the unit is gone). */
export function parseTarget(raw: string): UnitTarget | undefined {
  return raw === '' ? undefined : (JSON.parse(raw) as UnitTarget);
}

function targetOf(u: UnitDoc): UnitTarget {
  return { url: u.webhook.url, secret: u.webhook.secret };
}

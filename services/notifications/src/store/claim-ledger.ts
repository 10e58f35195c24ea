import type { Redis } from 'ioredis';
import { type Claim, type DeliveryKind, parseClaim, settledClaim } from '../domain/claims.ts';
import { INDEX_LOST } from './unit-index.ts';

/**
 * Claims units for one alert step in one atomic script, using the Redis server's clock (so two
 * instances never disagree on a lease). Per unit:
 * - no claim yet: claim it (pending, this owner, lease) → claimed;
 * - pending for this step and its lease expired (its owner died): take it over → claimed;
 * - pending for this step under a live lease (another instance is delivering it): → waiting;
 * - anything else (settled, or claimed by an earlier step): skip, it has had this alert.
 *
 * The same script reads each claimed unit's webhook target, so a chunk of units costs one round
 * trip (measured on 10,000 units: the HMGET and the 10,000 commands of the XADD pipeline that
 * used to follow each claim were about a tenth of the service's CPU during the fan-out).
 *
 * The unit ids go as one argument and the answer as one string, a list joined by newlines (no
 * unit id holds one, nor does a target's JSON): the number claimed, the number waiting, the
 * claimed ids, the waiting ids, then one target per claimed unit (measured on 10,000 units in
 * chunks of 500, targets parsed: this process's CPU for the claims and their answers 9-15 ms
 * instead of 22-55 for an argument and an answer per unit, the claims written in 1-3 ms instead
 * of 10-17, time before the first webhooks). One string, not an array of three: a 500-unit answer
 * spans several reads of the socket, and the client's reader takes an array that does so by a
 * slower path of its own, which it also optimised and deoptimised again during a fan-out (traced).
 *
 * First, the same check as the radius search's (unit-index.ts): the targets hash holds as many
 * units as the index's count. Redis that lost its data between the search and the claim (or a
 * unit written since, alone in an empty hash) answers INDEX_LOST and claims nothing: a missing
 * target there would read as a unit removed, and a live unit would silently get nothing.
 *
 * KEYS: [1] the ledger hash, [2] the targets hash, [3] the index's meta hash. ARGV: step, owner,
 * lease ms, the unit ids.
 */
const CLAIM_SCRIPT = `
local units = redis.call('HGET', KEYS[3], 'count')
if not units or tonumber(units) ~= redis.call('HLEN', KEYS[2]) then return '${INDEX_LOST}' end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local step = ARGV[1]
local owner = ARGV[2]
local value = 'p|' .. step .. '|' .. owner .. '|' .. (now + tonumber(ARGV[3]))
local claimed, waiting, targets = {}, {}, {}
local function take(u)
  claimed[#claimed + 1] = u
  targets[#targets + 1] = redis.call('HGET', KEYS[2], u) or ''
end
for u in string.gmatch(ARGV[4], '[^\\n]+') do
  if redis.call('HSETNX', KEYS[1], u, value) == 1 then
    take(u)
  else
    local v = redis.call('HGET', KEYS[1], u)
    if string.sub(v, 1, 2) == 'p|' then
      local s, o, l = string.match(v, '^p|([^|]*)|([^|]*)|([^|]*)$')
      if s == step then
        if tonumber(l) < now then
          redis.call('HSET', KEYS[1], u, value)
          take(u)
        else
          waiting[#waiting + 1] = u
        end
      end
    end
  end
end
local out = {#claimed, #waiting}
for i = 1, #claimed do out[#out + 1] = claimed[i] end
for i = 1, #waiting do out[#out + 1] = waiting[i] end
for i = 1, #targets do out[#out + 1] = targets[i] end
return table.concat(out, '\\n')
`;

/** The marker field that says a ledger hash was initialised (unit ids cannot start with `~`). */
const INIT = '~init';

type WithClaim = Redis & {
  hwClaim(
    key: string,
    targetsKey: string,
    metaKey: string,
    step: string,
    owner: string,
    leaseMs: string,
    units: string,
  ): Promise<string>;
};

/**
 * The fast claim on (alert, unit): a Redis hash per alert and delivery kind, field = unit id.
 * It decides who sends; MongoDB keeps the durable record of outcomes and rebuilds a ledger
 * that Redis lost (see `DeliveryStore`).
 */
export class ClaimLedger {
  private readonly redis: WithClaim;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    if (!(redis as unknown as Partial<WithClaim>).hwClaim)
      redis.defineCommand('hwClaim', { numberOfKeys: 3, lua: CLAIM_SCRIPT });
    this.redis = redis as unknown as WithClaim;
  }

  key(alertId: string, kind: DeliveryKind): string {
    return `${this.prefix}alert:${alertId}:${kind}`;
  }

  private acksKey(alertId: string): string {
    return `${this.prefix}alert:${alertId}:acks`;
  }

  async isInitialised(alertId: string, kind: DeliveryKind): Promise<boolean> {
    return (await this.redis.hexists(this.key(alertId, kind), INIT)) === 1;
  }

  /** Marks the ledger initialised, restoring settled claims (from MongoDB) if given. */
  async initialise(
    alertId: string,
    kind: DeliveryKind,
    settled: Array<{ unitId: string; value: string }> = [],
    acks: Array<{ unitId: string; at: number }> = [],
  ): Promise<void> {
    const pipe = this.redis.pipeline();
    for (const s of settled) pipe.hset(this.key(alertId, kind), s.unitId, s.value);
    for (const a of acks) pipe.hset(this.acksKey(alertId), a.unitId, String(a.at));
    pipe.hset(this.key(alertId, kind), INIT, '1');
    await pipe.exec();
  }

  /**
   * Claims what it may of `unitIds` (see the script above); `targets[i]` is the raw webhook
   * target of `claimed[i]` from the index's hash of targets ('' if the unit is gone). INDEX_LOST,
   * with nothing claimed, when Redis lost the index (see the script).
   */
  async claim(
    alertId: string,
    kind: DeliveryKind,
    step: number,
    owner: string,
    leaseMs: number,
    unitIds: string[],
    index: { targetsKey: string; metaKey: string },
  ): Promise<{ claimed: string[]; waiting: string[]; targets: string[] } | typeof INDEX_LOST> {
    if (unitIds.length === 0) return { claimed: [], waiting: [], targets: [] };
    const answer = await this.redis.hwClaim(
      this.key(alertId, kind),
      index.targetsKey,
      index.metaKey,
      String(step),
      owner,
      String(leaseMs),
      unitIds.join('\n'),
    );
    if (answer === INDEX_LOST) return INDEX_LOST;
    // The counts, then the ids, then one target per claimed unit ('' among them: a unit gone).
    const all = answer.split('\n');
    const claimedCount = Number(all[0]);
    const waitingEnd = 2 + claimedCount + Number(all[1]);
    return {
      claimed: all.slice(2, 2 + claimedCount),
      waiting: all.slice(2 + claimedCount, waitingEnd),
      targets: all.slice(waitingEnd, waitingEnd + claimedCount),
    };
  }

  /** Records settled outcomes (after MongoDB has them). */
  async settle(
    entries: Array<{
      alertId: string;
      kind: DeliveryKind;
      unitId: string;
      status: 'delivered' | 'failed';
      step: number;
      attempts: number;
      at: number;
    }>,
  ): Promise<void> {
    if (entries.length === 0) return;
    // One multi-field HSET per ledger (a batch is mostly one or a few alerts), not one per unit.
    const byKey = new Map<string, string[]>();
    for (const e of entries) {
      const key = this.key(e.alertId, e.kind);
      let fields = byKey.get(key);
      if (!fields) {
        fields = [];
        byKey.set(key, fields);
      }
      fields.push(e.unitId, settledClaim(e.status, e.step, e.attempts, e.at));
    }
    const pipe = this.redis.pipeline();
    for (const [key, fields] of byKey) pipe.hset(key, ...fields);
    const results = await pipe.exec();
    for (const [err] of results ?? []) if (err) throw err;
  }

  /** Every claim of an alert, by unit. */
  async claims(alertId: string, kind: DeliveryKind): Promise<Map<string, Claim>> {
    const raw = await this.redis.hgetall(this.key(alertId, kind));
    const out = new Map<string, Claim>();
    for (const [unitId, v] of Object.entries(raw)) {
      if (unitId === INIT) continue;
      const c = parseClaim(v);
      if (c) out.set(unitId, c);
    }
    return out;
  }

  async claimOf(alertId: string, kind: DeliveryKind, unitId: string): Promise<Claim | undefined> {
    const v = await this.redis.hget(this.key(alertId, kind), unitId);
    return v ? parseClaim(v) : undefined;
  }

  async recordAck(alertId: string, unitId: string, at: number): Promise<void> {
    await this.redis.hset(this.acksKey(alertId), unitId, String(at));
  }

  /** The units that acknowledged an alert, with when (ms). */
  async acks(alertId: string): Promise<Map<string, number>> {
    const raw = await this.redis.hgetall(this.acksKey(alertId));
    return new Map(Object.entries(raw).map(([unitId, at]) => [unitId, Number(at)]));
  }
}

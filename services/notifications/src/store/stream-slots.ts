import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** The limits on open live channels. */
export interface StreamLimits {
  perUnit: number;
  perKey: number;
  /** A slot not renewed for this long is free again (its instance died). */
  ttlMs: number;
}

/** Why a channel was refused: the unit's or the key's channels are all taken. */
export type SlotRefusal = 'unit' | 'key';

/**
 * Takes a slot in both sets, or none: drops expired slots, refuses when either set is full,
 * else adds the slot to both with its expiry. One script, so two instances racing for the last
 * slot cannot both get it.
 */
const ACQUIRE = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 1 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 2 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return 0
`;

interface Held {
  unitKey: string;
  keyKey: string;
  member: string;
}

/**
 * Counts the live channels open per unit and per API key, over every instance, in Redis
 * sorted sets (member: one channel, score: when its slot expires). An instance renews the
 * slots of its open channels every third of the TTL, in one pipeline, and frees a slot when its
 * channel closes; the slots of an instance that died expire on their own.
 */
export class StreamSlots {
  private readonly held = new Set<Held>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly limits: StreamLimits,
  ) {
    if (!('notificationsSlotAcquire' in redis))
      redis.defineCommand('notificationsSlotAcquire', { numberOfKeys: 2, lua: ACQUIRE });
  }

  /** How many channels this instance holds slots for. */
  get size(): number {
    return this.held.size;
  }

  /**
   * A slot for a channel of `unitId` opened with the key whose digest is `keyDigest`, or why
   * not. The returned function frees it (once; later calls do nothing).
   */
  async acquire(unitId: string, keyDigest: string): Promise<{ release: () => Promise<void> } | SlotRefusal> {
    const slot: Held = {
      unitKey: `${this.prefix}streams:unit:${unitId}`,
      keyKey: `${this.prefix}streams:key:${keyDigest}`,
      member: randomUUID(),
    };
    const now = Date.now();
    const run = (this.redis as unknown as Record<string, (...a: unknown[]) => Promise<number>>)
      .notificationsSlotAcquire!;
    const res = await run.call(
      this.redis,
      slot.unitKey,
      slot.keyKey,
      String(now),
      String(now + this.limits.ttlMs),
      slot.member,
      String(this.limits.perUnit),
      String(this.limits.perKey),
      String(this.limits.ttlMs * 2),
    );
    if (res === 1) return 'unit';
    if (res === 2) return 'key';
    this.held.add(slot);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        this.held.delete(slot);
        await this.redis
          .multi()
          .zrem(slot.unitKey, slot.member)
          .zrem(slot.keyKey, slot.member)
          .exec()
          .catch(() => {
            // Redis away: the slot expires on its own after the TTL.
          });
      },
    };
  }

  /** Pushes the expiry of every slot this instance holds (one pipeline). */
  async renew(): Promise<void> {
    if (this.held.size === 0) return;
    const until = String(Date.now() + this.limits.ttlMs);
    const p = this.redis.pipeline();
    for (const s of this.held) {
      p.zadd(s.unitKey, 'XX', until, s.member);
      p.zadd(s.keyKey, 'XX', until, s.member);
      p.pexpire(s.unitKey, this.limits.ttlMs * 2);
      p.pexpire(s.keyKey, this.limits.ttlMs * 2);
    }
    await p.exec();
  }

  start(): void {
    this.timer = setInterval(
      () => {
        this.renew().catch(() => {
          // Redis away: renewed on the next tick, or the slots expire and are taken again.
        });
      },
      Math.max(100, Math.floor(this.limits.ttlMs / 3)),
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all(
      [...this.held].map((s) =>
        this.redis
          .multi()
          .zrem(s.unitKey, s.member)
          .zrem(s.keyKey, s.member)
          .exec()
          .catch(() => {}),
      ),
    );
    this.held.clear();
  }
}

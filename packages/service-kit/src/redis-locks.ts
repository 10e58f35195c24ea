import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { AppError } from './errors.ts';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** The release script as a command of the connection (EVALSHA: its digest, not its text, per call). */
type WithRelease = Redis & { homewardLockRelease(key: string, token: string): Promise<number> };

export interface RedisLocksOptions {
  /** Prefix of every key (the deployment's TOPIC_PREFIX and the service's name). */
  keyPrefix: string;
  /** How long a lease lives if its holder dies without releasing it. */
  leaseMs?: number;
  /** How long `withLock` waits for a taken lease before giving up. */
  waitMs?: number;
  /** The problem code of the 409 when the wait runs out (retriable: the caller may try again). */
  conflictCode: string;
}

/**
 * Short Redis leases (SET NX PX, released only by their holder) that serialise the writers of
 * one aggregate across instances. FerretDB 1.24 applies an update as a read-modify-write of the
 * whole document without isolation, so two concurrent updates of one document lose one, and a
 * version in the filter does not stop the second writer (measured: 39 of 40 races). MongoDB
 * stays the truth; the lease decides who may write it now.
 */
export class RedisLocks {
  readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly redis: WithRelease;
  /**
   * Releases on their way to Redis, by lease name: `withLock` answers without waiting for its
   * release, and a caller of this process asking for the same lease waits for that release
   * instead of finding the lease taken and polling for it.
   */
  private readonly releasing = new Map<string, Promise<void>>();

  constructor(
    redis: Redis,
    private readonly opts: RedisLocksOptions,
  ) {
    if (!('homewardLockRelease' in redis))
      redis.defineCommand('homewardLockRelease', { numberOfKeys: 1, lua: RELEASE });
    this.redis = redis as WithRelease;
    this.leaseMs = opts.leaseMs ?? 10_000;
    this.waitMs = opts.waitMs ?? 3_000;
  }

  private key(name: string): string {
    return `${this.opts.keyPrefix}:lock:${name}`;
  }

  /** Takes the lease if free; the token releases it, null when another holder has it. */
  async tryAcquire(name: string): Promise<string | null> {
    const token = randomUUID();
    const ok = await this.redis.set(this.key(name), token, 'PX', this.leaseMs, 'NX');
    return ok === 'OK' ? token : null;
  }

  /** Releases the lease only if it is still ours (it may have expired and passed on). */
  async release(name: string, token: string): Promise<void> {
    await this.redis.homewardLockRelease(this.key(name), token);
  }

  /**
   * Runs `fn` holding the lease, waiting for it up to `waitMs`; a retriable 409 if it stays taken.
   * Resolves once `fn` has, without waiting for the release to reach Redis: whatever `fn` wrote
   * is written by then, and the release only lets the next holder in (one round trip less for
   * the caller). A release that fails leaves the lease to expire after `leaseMs`.
   */
  async withLock<R>(name: string, fn: () => Promise<R>, waitMs = this.waitMs): Promise<R> {
    const deadline = Date.now() + waitMs;
    await this.releasing.get(name);
    let token = await this.tryAcquire(name);
    while (!token) {
      if (Date.now() > deadline) {
        throw new AppError(
          this.opts.conflictCode,
          409,
          'Conflict',
          `${name} is being changed by another writer; retry`,
          {
            retriable: true,
          },
        );
      }
      await sleep(10 + Math.random() * 20);
      token = await this.tryAcquire(name);
    }
    try {
      return await fn();
    } finally {
      this.releaseInBackground(name, token);
    }
  }

  private releaseInBackground(name: string, token: string): void {
    const released: Promise<void> = this.release(name, token)
      // Not released: the lease expires after leaseMs, as a crashed holder's does. (Closing the
      // connection with QUIT lets a release still on its way finish first.)
      .catch(() => {})
      .finally(() => {
        if (this.releasing.get(name) === released) this.releasing.delete(name);
      });
    this.releasing.set(name, released);
  }
}

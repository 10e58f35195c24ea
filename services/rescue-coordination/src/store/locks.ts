import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError } from '@homeward/service-kit';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Short Redis leases (SET NX PX) that serialise every write to one case or one alert across
 * instances. They are needed because FerretDB 1.24 applies an update as a read-modify-write of
 * the whole document without isolation: two concurrent updates of one document lose one of
 * them, and a filter on a version field does not stop the second writer (measured: 39 of 40
 * races). MongoDB keeps the truth; the lease decides who may write it now.
 */
export class RedisLocks {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly leaseMs: number,
  ) {}

  private key(name: string): string {
    return `${this.prefix}rescue-coordination:lock:${name}`;
  }

  /** Takes the lease if free; the token releases it, null when another holder has it. */
  async tryAcquire(name: string): Promise<string | null> {
    const token = randomUUID();
    const ok = await this.redis.set(this.key(name), token, 'PX', this.leaseMs, 'NX');
    return ok === 'OK' ? token : null;
  }

  /** Releases the lease only if it is still ours (it may have expired and passed on). */
  async release(name: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(name), token);
  }

  /** Runs `fn` holding the lease, waiting up to `waitMs` for it; 409 if it stays taken. */
  async withLock<R>(name: string, fn: () => Promise<R>, waitMs = 3_000): Promise<R> {
    const deadline = Date.now() + waitMs;
    let token = await this.tryAcquire(name);
    while (!token) {
      if (Date.now() > deadline) {
        throw new ConflictError(
          `${name} is being changed by another request; retry`,
          'RESCUE_ERR_CONCURRENT_UPDATE',
        );
      }
      await sleep(10 + Math.random() * 20);
      token = await this.tryAcquire(name);
    }
    try {
      return await fn();
    } finally {
      await this.release(name, token);
    }
  }
}

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '@homeward/service-kit';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Short Redis leases (SET NX PX) that serialise the writes to one case across instances.
 * FerretDB 1.24 applies an update as a read-modify-write of the whole document without
 * isolation, so a version in the filter does not stop a second concurrent writer (measured here:
 * three racing overdue checkers all "won" their compare-and-set), and the outbox relay's
 * `$pullAll` can overwrite a write made meanwhile. Every writer of a case document (HTTP, event
 * handlers, the overdue checker) holds the case's lease and waits for the relay to finish with
 * the document before it lets go. MongoDB stays the truth; the lease only orders the writers.
 */
export class CaseLocks {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly leaseMs = 10_000,
    private readonly waitMs = 5_000,
  ) {}

  private key(caseId: string): string {
    return `${this.prefix}placement:lock:${caseId}`;
  }

  /** Runs `fn` holding the case's lease; a retriable 409 if it stays taken for `waitMs`. */
  async withLock<R>(caseId: string, fn: () => Promise<R>): Promise<R> {
    const token = randomUUID();
    const deadline = Date.now() + this.waitMs;
    while ((await this.redis.set(this.key(caseId), token, 'PX', this.leaseMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline)
        throw new AppError(
          'PLACEMENT_ERR_CONCURRENT_UPDATE',
          409,
          'Conflict',
          `case "${caseId}" is being changed by another writer; retry`,
          { retriable: true },
        );
      await sleep(10 + Math.random() * 20);
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval(RELEASE, 1, this.key(caseId), token);
    }
  }
}

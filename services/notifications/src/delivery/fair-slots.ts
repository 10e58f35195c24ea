/**
 * A first-in first-out queue of waiters whose `shift` is O(1): a lane may hold thousands (one
 * alert's whole fan-out), and `Array.prototype.shift` moves every one left on each release
 * (measured: 2.7% of the fan-out's CPU in `release`).
 */
class Waiters {
  private items: Array<(() => void) | undefined> = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(w: () => void): void {
    this.items.push(w);
  }

  shift(): () => void {
    const w = this.items[this.head]!;
    this.items[this.head++] = undefined;
    // Drop the consumed front once it is half of the array: amortised O(1), bounded memory.
    if (this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return w;
  }
}

/**
 * Slots keyed by a string, in one of two scopes:
 * - `shared`: at most `limit` slots held at once over every key; a request that finds none free
 *   waits in its key's queue, and a freed slot goes to the oldest request of the key that was
 *   served longest ago (round-robin over the keys with waiters, first come first served inside
 *   a key). The sender's global bound, keyed by alert: in a burst every alert's first webhooks
 *   go out early, not after every earlier alert's last ones, and an alert with many waiters
 *   cannot starve one with a few.
 * - `per-key`: at most `limit` slots held per key, each key's waiters first come first served;
 *   a key with nothing held or waiting is forgotten. The sender's bound per unit: a hanging
 *   unit holds at most its own few requests, however many alerts are sent to it at once.
 */
export class KeyedSlots {
  private held = 0;
  private waiting = 0;
  /**
   * Keys with waiters (shared: in serving order, as a Map keeps insertion order and a served key
   * moves to the end), or every key holding a slot (per-key: with its count).
   */
  private readonly keys = new Map<string, { held: number; waiters: Waiters | undefined }>();

  constructor(
    private readonly limit: number,
    private readonly scope: 'shared' | 'per-key',
  ) {
    if (!(limit >= 1)) throw new RangeError(`a slot limit must be at least 1, not ${limit}`);
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiting;
  }

  /** Slots held now. */
  get inUse(): number {
    return this.held;
  }

  /**
   * Takes a slot of `key` at once if one is free (true), without a promise or a turn of the event
   * loop: what a delivery does when nothing waits; the caller must `release(key)` it exactly once.
   */
  tryAcquire(key: string): boolean {
    if (this.scope === 'shared') {
      if (this.held >= this.limit) return false;
      this.held++;
      return true;
    }
    const k = this.keys.get(key);
    if (k === undefined) {
      this.held++;
      this.keys.set(key, { held: 1, waiters: undefined });
      return true;
    }
    if (k.held >= this.limit) return false;
    this.held++;
    k.held++;
    return true;
  }

  /** Resolves when the caller holds a slot of `key`; it must `release(key)` it exactly once. */
  acquire(key: string): Promise<void> {
    if (this.tryAcquire(key)) return Promise.resolve();
    let k = this.keys.get(key);
    if (!k) {
      k = { held: 0, waiters: undefined };
      this.keys.set(key, k);
    }
    this.waiting++;
    k.waiters ??= new Waiters();
    const waiters = k.waiters;
    return new Promise((resolve) => waiters.push(resolve));
  }

  /**
   * Hands the slot on, or frees it: shared, to the next key's oldest waiter (round-robin); per
   * key, to the oldest waiter of the same key.
   */
  release(key = ''): void {
    if (this.scope === 'per-key') {
      const k = this.keys.get(key);
      if (!k) return;
      if (k.waiters !== undefined && k.waiters.length > 0) {
        this.waiting--;
        k.waiters.shift()();
        return;
      }
      this.held--;
      if (--k.held === 0) this.keys.delete(key);
      return;
    }
    const first = this.keys.entries().next();
    if (first.done) {
      this.held--;
      return;
    }
    const [next, k] = first.value;
    const waiters = k.waiters!;
    const wake = waiters.shift();
    this.keys.delete(next);
    if (waiters.length > 0) this.keys.set(next, k);
    this.waiting--;
    wake();
  }
}

/** The sender's global bound: {@link KeyedSlots} shared round-robin between lanes (alerts). */
export class FairSlots extends KeyedSlots {
  constructor(limit: number) {
    super(limit, 'shared');
  }
}

/**
 * A first-in first-out queue whose `shift` is O(1): a lane may hold thousands of waiters (one
 * alert's whole fan-out), and `Array.prototype.shift` moves every one left on each release
 * (measured: 2.7% of the fan-out's CPU in `release`).
 */
class Queue<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T {
    return this.items[this.head]!;
  }

  shift(): T {
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      // Emptied: start again at the front (no copy; what a queue of one does on every release).
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      // Drop a long consumed front once it is half of the array: amortised O(1), bounded memory.
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/** A key and its waiters (in shared scope, the unit the serving turn moves around). */
interface Lane {
  key: string;
  waiters: Queue<() => void>;
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
 *
 * Taking and freeing a slot allocates nothing when nobody waits (a count per key), and a release
 * that hands a slot on turns the keys in a queue of their own: not by deleting and re-adding the
 * served key of a Map, whose deleted entries the next release's iterator stepped over and whose
 * table was rebuilt every few releases (measured: the release was 2.7 µs of each webhook).
 */
export class KeyedSlots {
  private held = 0;
  private waiting = 0;
  /** Per key: slots held (per-key scope only; a key holding none is not here). */
  private readonly counts = new Map<string, number>();
  /** Keys with waiters. */
  private readonly lanes = new Map<string, Lane>();
  /** Shared scope: the keys with waiters, in serving order (the next to be served first). */
  private readonly turn = new Queue<Lane>();

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
    const n = this.counts.get(key) ?? 0;
    if (n >= this.limit) return false;
    this.counts.set(key, n + 1);
    this.held++;
    return true;
  }

  /** Resolves when the caller holds a slot of `key`; it must `release(key)` it exactly once. */
  acquire(key: string): Promise<void> {
    if (this.tryAcquire(key)) return Promise.resolve();
    return new Promise((resolve) => this.enqueue(key, resolve));
  }

  /**
   * Queues `wake` for a slot of `key` (after {@link tryAcquire} found none): it is called, holding
   * the slot, by the `release` that hands it on. No promise: what a delivery does in a burst.
   */
  enqueue(key: string, wake: () => void): void {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { key, waiters: new Queue() };
      this.lanes.set(key, lane);
      if (this.scope === 'shared') this.turn.push(lane);
    }
    this.waiting++;
    lane.waiters.push(wake);
  }

  /**
   * Hands the slot on, or frees it: shared, to the next key's oldest waiter (round-robin); per
   * key, to the oldest waiter of the same key.
   */
  release(key = ''): void {
    if (this.scope === 'per-key') {
      const lane = this.lanes.size > 0 ? this.lanes.get(key) : undefined;
      if (lane) {
        this.waiting--;
        const wake = lane.waiters.shift();
        if (lane.waiters.length === 0) this.lanes.delete(key);
        wake();
        return;
      }
      const n = this.counts.get(key);
      if (n === undefined) return;
      this.held--;
      if (n <= 1) this.counts.delete(key);
      else this.counts.set(key, n - 1);
      return;
    }
    if (this.turn.length === 0) {
      this.held--;
      return;
    }
    const lane = this.turn.peek();
    const wake = lane.waiters.shift();
    if (lane.waiters.length === 0) {
      this.turn.shift();
      this.lanes.delete(lane.key);
    } else if (this.turn.length > 1) {
      // Served: behind the keys that waited (a lone key stays where it is).
      this.turn.shift();
      this.turn.push(lane);
    }
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

/**
 * Who may write an aggregate now. The kit's `RedisLocks` satisfies this structurally (across
 * instances); {@link MemoryLeases} does within one process (unit tests, single-instance tools).
 * A lease is not re-entrant: never ask for a lease inside `fn` of the same name.
 */
export interface Leases {
  withLock<R>(name: string, fn: () => Promise<R>): Promise<R>;
}

/** The lease name of one aggregate: `<collection>:<id>`, unique within a service. */
export function leaseName(collection: string, id: string): string {
  return `${collection}:${id}`;
}

/**
 * In-process leases: callers of one name run one at a time, in the order they asked (FIFO),
 * whatever the outcome of the one before.
 */
export class MemoryLeases implements Leases {
  /** The tail of each name's queue; removed when the last holder finishes. */
  private readonly tails = new Map<string, Promise<void>>();

  async withLock<R>(name: string, fn: () => Promise<R>): Promise<R> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(name, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      // Nobody queued behind us: forget the name, so the map does not grow with every id.
      if (this.tails.get(name) === tail) this.tails.delete(name);
    }
  }

  /** How many names have a holder or a queue (for tests: zero when everything is released). */
  get held(): number {
    return this.tails.size;
  }
}

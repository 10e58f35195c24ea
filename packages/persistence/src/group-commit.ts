import type { WriteLane } from './write-lane.ts';

/**
 * Group commit: writes that arrive while one round trip is in flight wait for it to end and then
 * go together in the next one. Nothing waits on a timer: a lone write starts at once, so the
 * latency at low load is one round trip; under load, each round trip carries everything that
 * queued meanwhile, so the store sees one transaction where it saw many. (FerretDB on SQLite
 * has a single writer: every write is a transaction of its own; `insertMany` is one transaction
 * for the whole batch.)
 *
 * `flush(items)` gets the queued items in arrival order and answers one outcome per item, in
 * the same order: a value, or an `Error` for that item alone. When `flush` itself throws,
 * every item of that round fails with its error.
 *
 * With a {@link WriteLane}, each round waits for the lane before it takes its items, so what
 * arrives while other writes to the database hold it goes in that round too; `flush` runs
 * holding the lane, so it must not ask for it again.
 */
export class GroupCommit<I, O> {
  private queue: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  private running = false;

  constructor(
    private readonly flush: (items: I[]) => Promise<Array<O | Error>>,
    /** The most items one round carries; the rest wait for the next. */
    private readonly maxBatch = 256,
    /** The database's write lane, taken by each round (see above). */
    private readonly lane?: WriteLane,
  ) {}

  /** Queues one write; resolves with its own outcome once the round carrying it is done. */
  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.pump();
    });
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        if (this.lane) await this.lane.run(() => this.round());
        else await this.round();
      }
    } finally {
      this.running = false;
    }
  }

  /** Flushes what is queued now (up to the batch limit) and settles each item; never throws. */
  private async round(): Promise<void> {
    const round = this.queue.splice(0, this.maxBatch);
    try {
      const outcomes = await this.flush(round.map((r) => r.item));
      round.forEach((r, i) => {
        const o = outcomes[i];
        if (o instanceof Error) r.reject(o);
        else r.resolve(o as O);
      });
    } catch (err) {
      for (const r of round) r.reject(err);
    }
  }
}

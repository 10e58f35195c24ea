import type { Db } from 'mongodb';

/**
 * One write command at a time to a database, in the order asked (FIFO). FerretDB's SQLite
 * backend takes one writer per database, and a write that finds it taken does not queue: SQLite's
 * busy handler retries it after sleeping 1, 2, 5, 10 ... 100 ms. Measured on this repository's
 * FerretDB 1.24 (four writers, each inserting two documents into its own collection, 3 s):
 * concurrent, p99 66-80 ms and max 233-340 ms per command at 506-698 commands/s; one at a time
 * through a lane, p99 5-10 ms and max 11-28 ms at 577-862/s. Queueing in the client also lets
 * a group commit (see {@link GroupCommit}) take everything that arrived while it waited for the
 * lane into its round, and a lone write on an idle store still starts at once.
 *
 * Reads never take the lane (SQLite's readers do not wait for its writer).
 */
export class WriteLane {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `write` once every write asked for before it has ended (whatever its outcome). */
  run<R>(write: () => Promise<R>): Promise<R> {
    const result = this.tail.then(write);
    this.tail = result.catch(() => {});
    return result;
  }
}

const lanes = new WeakMap<object, Map<string, WriteLane>>();

/**
 * The write lane of a database, shared by whatever asks for it through the same client (the
 * stores, the outbox's pointers and cursors, messaging's idempotency records): one per client and
 * database name, whichever `Db` handle asks. Another client (another process, as a rule) has its
 * own; a write made on the driver directly does not wait in it.
 */
export function writeLaneOf(db: Db): WriteLane {
  const key: object = db.client;
  const byName = lanes.get(key) ?? new Map<string, WriteLane>();
  lanes.set(key, byName);
  const lane = byName.get(db.databaseName) ?? new WriteLane();
  byName.set(db.databaseName, lane);
  return lane;
}

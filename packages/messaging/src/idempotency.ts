import { isDuplicateKey, type WriteLane, writeLaneOf } from '@homeward/persistence';
import type { Collection, Db } from 'mongodb';

/**
 * Remembers which events a consumer group has handled. Keyed `<group>:<event id>` as `_id`,
 * the one lookup FerretDB pushes down to its storage, so a check is a point read.
 */
export interface IdempotencyStore {
  has(group: string, eventId: string): Promise<boolean>;
  add(group: string, eventId: string, at: Date): Promise<void>;
}

interface ProcessedEvent {
  _id: string;
  at: Date;
}

export class MongoIdempotencyStore implements IdempotencyStore {
  private readonly col: Collection<ProcessedEvent>;
  /** The database's writes, one at a time (see @homeward/persistence's write-lane.ts). */
  private readonly lane: WriteLane;

  constructor(db: Db, collection = 'processed_events') {
    this.col = db.collection<ProcessedEvent>(collection);
    this.lane = writeLaneOf(db);
  }

  async has(group: string, eventId: string): Promise<boolean> {
    return (await this.col.findOne({ _id: `${group}:${eventId}` }, { projection: { _id: 1 } })) !== null;
  }

  async add(group: string, eventId: string, at: Date): Promise<void> {
    try {
      await this.lane.run(() => this.col.insertOne({ _id: `${group}:${eventId}`, at }));
    } catch (err) {
      // A duplicate key means another delivery recorded it first: the outcome we want.
      if (!isDuplicateKey(err)) throw err;
    }
  }
}

/** For unit tests of handlers and for consumers whose handlers are idempotent on their own. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly seen = new Set<string>();
  async has(group: string, eventId: string): Promise<boolean> {
    return this.seen.has(`${group}:${eventId}`);
  }
  async add(group: string, eventId: string): Promise<void> {
    this.seen.add(`${group}:${eventId}`);
  }
}

/**
 * No record at all, for a consumer whose handlers are idempotent on their own (an insert-once, a
 * guarded update that sees its own effect): a redelivery runs the handler again, to the same
 * effect. Saves the store a read and a write per event, which on a hot topic is most of the
 * consumer's cost.
 */
export class HandlersIdempotent implements IdempotencyStore {
  async has(): Promise<boolean> {
    return false;
  }
  async add(): Promise<void> {}
}

import type { HomewardEvent } from '@homeward/events';
import { type OutboxFields, type OutboxRelay, outboxInsert, withOutbox } from '@homeward/messaging';
import type { Collection, Db, Document, Filter, UpdateFilter } from 'mongodb';
import { Errors } from '../errors.ts';
import type {
  AggregateStore,
  ListFilter,
  ListOptions,
  StoreDecision,
  UpdateResult,
} from './aggregate-store.ts';

/** Who may write an aggregate now (the kit's `RedisLocks` across instances). */
export interface Leases {
  withLock<R>(name: string, fn: () => Promise<R>): Promise<R>;
}

/**
 * MongoDB's duplicate-key codes (11000 today; 11001 from older servers on updates). The one
 * place this service recognises "exists already"; it goes with this adapter when the service
 * moves onto `@homeward/persistence`, which owns the same check.
 */
const DUPLICATE_KEY = new Set([11000, 11001]);
const isDuplicateKey = (err: unknown) => DUPLICATE_KEY.has((err as { code?: number }).code ?? 0);

/**
 * `AggregateStore` over one MongoDB collection. Every update holds the aggregate's lease
 * (`<leaseName>:<id>`): FerretDB 1.24 applies an update as an unisolated read-modify-write of
 * the whole document, so the lease, not a filter, is what serialises writers. Filters are by
 * `_id` alone, the one lookup FerretDB pushes down.
 */
export class MongoAggregateStore<T extends { _id: string }> implements AggregateStore<T> {
  private readonly col: Collection<T & OutboxFields>;

  constructor(
    db: Db,
    collection: string,
    private readonly opts: { leases: Leases; leaseName: string; relay: OutboxRelay },
  ) {
    this.col = db.collection<T & OutboxFields>(collection);
    opts.relay.watch(this.col);
  }

  private byId(id: string): Filter<T & OutboxFields> {
    return { _id: id } as Filter<T & OutboxFields>;
  }

  async get(id: string): Promise<T | null> {
    return (await this.col.findOne(this.byId(id), { projection: { outbox: 0 } })) as T | null;
  }

  async insertOnce(doc: T, events: HomewardEvent[] = []): Promise<boolean> {
    const insert = () =>
      this.col.insertOne({ ...doc, ...(events.length ? outboxInsert(events) : {}) } as never);
    try {
      if (events.length > 0) await this.publishing(doc._id, insert);
      else await insert();
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  update<R>(id: string, decide: (doc: T) => StoreDecision<T, R> | null): Promise<UpdateResult<T, R> | null> {
    return this.opts.leases.withLock(`${this.opts.leaseName}:${id}`, async () => {
      const doc = await this.get(id);
      if (!doc) return null;
      const decision = decide(doc);
      if (!decision) return { doc, result: null };
      const { _id, outbox: _outbox, ...fields } = decision.doc as T & OutboxFields;
      const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      const events = decision.events ?? [];
      const write = () =>
        this.col.updateOne(
          this.byId(id),
          withOutbox({ $set: set } as UpdateFilter<T & OutboxFields>, events),
        );
      const res = events.length > 0 ? await this.publishing(id, write) : await write();
      if (res.matchedCount !== 1)
        throw Errors.concurrentUpdate.error(`"${id}" vanished while being changed; retry`);
      return { doc: decision.doc, result: decision.result };
    });
  }

  /**
   * A write that adds to the outbox, then its publication awaited: the next writer of the
   * aggregate (who waits for the lease) cannot get its events out ahead of these.
   */
  private async publishing<R>(id: string, write: () => Promise<R>): Promise<R> {
    const res = await this.opts.relay.commit(this.col as unknown as Collection<Document>, id, write);
    await this.opts.relay.notify(this.col as unknown as Collection<Document>, id);
    return res;
  }

  list(filter: ListFilter, options: ListOptions = {}): Promise<T[]> {
    const projection = Object.fromEntries(['outbox', ...(options.exclude ?? [])].map((f) => [f, 0]));
    let cursor = this.col.find(filter as Filter<T & OutboxFields>, { projection });
    if (options.sort) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit !== undefined) cursor = cursor.limit(options.limit);
    return cursor.toArray() as Promise<T[]>;
  }

  count(filter: ListFilter): Promise<number> {
    return this.col.countDocuments(filter as Filter<T & OutboxFields>);
  }
}

import type { HomewardEvent } from '@homeward/events';
import { find } from 'mingo';
import type { AnyObject } from 'mingo/types';
import {
  type AggregateStore,
  type Change,
  type Decide,
  type DecideOrCreate,
  type Doc,
  DocumentNotFound,
  type FactStore,
  IdChanged,
  type ListOptions,
  type Persistence,
  type StoreFilter,
  type StoreOptions,
  type UpdateOptions,
  type UpdateOutcome,
} from './aggregate-store.ts';
import { copyDoc, projectionWithoutOutbox, sortWithTieBreak, withoutOutbox } from './documents.ts';
import { type Leases, leaseName, MemoryLeases } from './leases.ts';

/**
 * The events an in-memory store published, in publication order: what a unit test of an
 * application service asserts on instead of a Kafka topic.
 */
export class MemoryOutbox {
  private readonly events: HomewardEvent[] = [];

  /** Everything published so far, oldest first (copies). */
  get published(): HomewardEvent[] {
    return copyDoc(this.events);
  }

  /** The published events of one type, oldest first. */
  ofType<K extends HomewardEvent['type']>(type: K): Array<HomewardEvent<K>> {
    return this.published.filter((e): e is HomewardEvent<K> => e.type === type);
  }

  /** Records events as published (the memory stores call this after each write). */
  publish(events: readonly HomewardEvent[]): void {
    this.events.push(...copyDoc([...events]));
  }

  /** Forgets what was published (between the steps of a test). */
  clear(): void {
    this.events.length = 0;
  }
}

interface Stored<T> {
  doc: T;
  /** The document's event history, as the MongoDB adapter keeps it in the `outbox` field. */
  outbox: HomewardEvent[];
}

export interface MemoryPersistenceOptions extends StoreOptions {
  /** Default: in-process leases of its own. */
  leases?: Leases;
  /** Default: an outbox of its own (see {@link MemoryPersistence.outbox}). */
  outbox?: MemoryOutbox;
}

/**
 * The in-memory adapter of {@link AggregateStore}, with the MongoDB adapter's semantics
 * (duplicate `_id`, leases, the outbox kept with the document and never read back) and its
 * filters, sorts and projections through mingo. Everything is deep-copied in and out, so a
 * caller cannot change stored state by mutating what it passed or got. Events are published
 * to the {@link MemoryOutbox} as part of the write, so `awaitPublish` makes no difference here.
 */
export class MemoryAggregateStore<T extends Doc> implements AggregateStore<T> {
  private readonly docs = new Map<string, Stored<T>>();
  private readonly leases: Leases;
  readonly outbox: MemoryOutbox;

  constructor(
    readonly name: string,
    opts: MemoryPersistenceOptions = {},
  ) {
    this.leases = opts.leases ?? new MemoryLeases();
    this.outbox = opts.outbox ?? new MemoryOutbox();
  }

  async get(id: string): Promise<T | null> {
    const stored = this.docs.get(id);
    return stored ? copyDoc(stored.doc) : null;
  }

  async insertOnce(doc: T, events: readonly HomewardEvent[] = []): Promise<boolean> {
    if (this.docs.has(doc._id)) return false;
    this.docs.set(doc._id, { doc: copyDoc(withoutOutbox(doc)), outbox: copyDoc([...events]) });
    this.outbox.publish(events);
    return true;
  }

  update<R = undefined>(
    id: string,
    decide: Decide<T, R>,
    opts: UpdateOptions = {},
  ): Promise<UpdateOutcome<T, R>> {
    const notFound = () => (opts.notFound ? opts.notFound() : new DocumentNotFound(this.name, id));
    return this.leases.withLock(leaseName(this.name, id), async () => {
      const current = await this.get(id);
      if (!current) throw notFound();
      const change = await decide(current);
      if (!change) return { changed: false, doc: (await this.get(id)) as T, result: null };
      if (!this.replace(id, change)) throw notFound();
      return { changed: true, doc: (await this.get(id)) as T, result: change.result as R };
    });
  }

  upsert<R = undefined>(id: string, decide: DecideOrCreate<T, R>): Promise<UpdateOutcome<T | null, R>> {
    return this.leases.withLock(leaseName(this.name, id), async () => {
      const current = await this.get(id);
      const change = await decide(current);
      if (!change) return { changed: false, doc: await this.get(id), result: null };
      if (current) this.replace(id, change);
      else {
        if (change.doc._id !== id) throw new IdChanged(this.name, id, change.doc._id);
        await this.insertOnce(change.doc, change.events);
      }
      return { changed: true, doc: await this.get(id), result: change.result as R };
    });
  }

  remove(id: string, guard?: (current: T) => boolean): Promise<boolean> {
    return this.leases.withLock(leaseName(this.name, id), async () => {
      const current = await this.get(id);
      if (!current || (guard && !guard(current))) return false;
      return this.docs.delete(id);
    });
  }

  async list<P extends Partial<T> = T>(filter: StoreFilter<T> = {}, options: ListOptions = {}): Promise<P[]> {
    const all = [...this.docs.values()].map((s) => s.doc as unknown as AnyObject);
    let cursor = find(all, filter as AnyObject, projectionWithoutOutbox(options.projection));
    const sort = sortWithTieBreak(options.sort);
    if (sort) cursor = cursor.sort(sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit !== undefined) cursor = cursor.limit(options.limit);
    return cursor.all().map((d) => copyDoc(d) as unknown as P);
  }

  async count(filter: StoreFilter<T> = {}): Promise<number> {
    const all = [...this.docs.values()].map((s) => s.doc as unknown as AnyObject);
    return find(all, filter as AnyObject).all().length;
  }

  /** The events stored with a document, oldest first (what the relay would publish from). */
  storedOutbox(id: string): HomewardEvent[] {
    return copyDoc(this.docs.get(id)?.outbox ?? []);
  }

  /** The write of an update: the next state replaces the document, its events appended and published. */
  private replace<R>(id: string, change: Change<T, R>): boolean {
    const stored = this.docs.get(id);
    if (!stored) return false;
    if (change.doc._id !== id) throw new IdChanged(this.name, id, change.doc._id);
    const events = change.events ?? [];
    this.docs.set(id, {
      doc: copyDoc(withoutOutbox(change.doc)),
      outbox: [...stored.outbox, ...copyDoc([...events])],
    });
    this.outbox.publish(events);
    return true;
  }
}

/**
 * In-memory stores for unit tests of application services: one {@link MemoryOutbox} and one
 * set of leases shared by all of them, one store per collection name (asking twice for a
 * name gives the same store, as two handles on one MongoDB collection see the same documents).
 */
export class MemoryPersistence implements Persistence {
  readonly outbox: MemoryOutbox;
  readonly leases: Leases;
  private readonly stores = new Map<string, MemoryAggregateStore<Doc>>();

  constructor(opts: MemoryPersistenceOptions = {}) {
    this.outbox = opts.outbox ?? new MemoryOutbox();
    this.leases = opts.leases ?? new MemoryLeases();
  }

  aggregate<T extends Doc>(collection: string): MemoryAggregateStore<T> {
    let store = this.stores.get(collection);
    if (!store) {
      store = new MemoryAggregateStore<Doc>(collection, { outbox: this.outbox, leases: this.leases });
      this.stores.set(collection, store);
    }
    return store as unknown as MemoryAggregateStore<T>;
  }

  facts<T extends Doc>(collection: string): FactStore<T> {
    return this.aggregate<T>(collection);
  }
}

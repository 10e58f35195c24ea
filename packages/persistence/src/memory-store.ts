import type { HomewardEvent } from '@homeward/events';
import { find } from 'mingo';
import type { AnyObject } from 'mingo/types';
import type {
  Doc,
  FactStore,
  ListOptions,
  Persistence,
  StoreFilter,
  StoreOptions,
} from './aggregate-store.ts';
import { copyDoc, effectiveLimit, projectionWithoutOutbox, sortWithTieBreak } from './documents.ts';
import { LeasedStore } from './leased-store.ts';
import { type Leases, MemoryLeases } from './leases.ts';

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

/** What the memory stores share; each defaults to its own. */
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
export class MemoryAggregateStore<T extends Doc> extends LeasedStore<T> {
  private readonly docs = new Map<string, Stored<T>>();
  readonly outbox: MemoryOutbox;

  constructor(name: string, opts: MemoryPersistenceOptions = {}) {
    super(name, opts.leases ?? new MemoryLeases());
    this.outbox = opts.outbox ?? new MemoryOutbox();
  }

  async get(id: string): Promise<T | null> {
    const stored = this.docs.get(id);
    return stored ? copyDoc(stored.doc) : null;
  }

  protected async insert(doc: T, events: readonly HomewardEvent[]): Promise<boolean> {
    if (this.docs.has(doc._id)) return false;
    this.docs.set(doc._id, { doc: copyDoc(doc), outbox: copyDoc([...events]) });
    this.outbox.publish(events);
    return true;
  }

  /** The next state replaces the document; its events are appended and published. */
  protected async write(current: T, next: T, events: readonly HomewardEvent[]): Promise<boolean> {
    const stored = this.docs.get(current._id);
    if (!stored) return false;
    this.docs.set(current._id, { doc: copyDoc(next), outbox: [...stored.outbox, ...copyDoc([...events])] });
    this.outbox.publish(events);
    return true;
  }

  protected async delete(id: string): Promise<boolean> {
    // Published as part of each write already: nothing is left in the outbox to flush.
    return this.docs.delete(id);
  }

  async list<P extends Partial<T> = T>(filter: StoreFilter<T> = {}, options: ListOptions = {}): Promise<P[]> {
    const all = [...this.docs.values()].map((s) => s.doc as unknown as AnyObject);
    let cursor = find(all, filter as AnyObject, projectionWithoutOutbox(options.projection));
    const sort = sortWithTieBreak(options.sort);
    if (sort) cursor = cursor.sort(sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    const limit = effectiveLimit(options.limit);
    if (limit !== undefined) cursor = cursor.limit(limit);
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

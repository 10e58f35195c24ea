import { activeTraceparent, type HomewardEvent } from '@homeward/events';
import {
  type AggregateStore,
  type Change,
  type Decide,
  type DecideOrCreate,
  type Doc,
  DocumentNotFound,
  IdChanged,
  type ListOptions,
  type StoreFilter,
  type UpdateOptions,
  type UpdateOutcome,
  type WriteOptions,
} from './aggregate-store.ts';
import { assertValidEvents, copyDoc, withoutOutbox } from './documents.ts';
import { type Leases, leaseName } from './leases.ts';

/**
 * The concurrency rule, written once for both adapters: every change runs under the
 * aggregate's lease as read, decide, check, one write. An adapter supplies only its storage
 * primitives, so the memory adapter cannot drift from the MongoDB one in how it decides.
 */
export abstract class LeasedStore<T extends Doc> implements AggregateStore<T> {
  constructor(
    readonly name: string,
    private readonly leases: Leases,
  ) {}

  abstract get(id: string): Promise<T | null>;
  abstract list<P extends Partial<T> = T>(filter?: StoreFilter<T>, options?: ListOptions): Promise<P[]>;
  abstract count(filter?: StoreFilter<T>): Promise<number>;

  /** Inserts a document (without an outbox field) with its checked events; false on a duplicate `_id`. */
  protected abstract insert(doc: T, events: readonly HomewardEvent[], opts: WriteOptions): Promise<boolean>;

  /**
   * The one write of a change: the next state (its `_id` checked, its events valid) with the
   * events appended to the outbox; false when the document is gone.
   */
  protected abstract write(
    current: T,
    next: T,
    events: readonly HomewardEvent[],
    opts: WriteOptions,
  ): Promise<boolean>;

  /** Deletes a document, once what its outbox holds is published; true if it deleted one. */
  protected abstract delete(id: string): Promise<boolean>;

  async insertOnce(doc: T, events: readonly HomewardEvent[] = [], opts: WriteOptions = {}): Promise<boolean> {
    const checked = this.checkedInsert(doc, events);
    return this.insert(checked.doc, checked.events, opts);
  }

  /** What an insert stores: the document without an outbox field, its events valid and traced. */
  protected checkedInsert(
    doc: T,
    events: readonly HomewardEvent[],
  ): { doc: T; events: readonly HomewardEvent[] } {
    assertValidEvents(this.name, doc._id, events);
    return { doc: withoutOutbox(doc), events: traced(events) };
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
      // A copy: what decide does to its argument never leaks into the state we compare with.
      const change = await decide(copyDoc(current));
      if (!change) return { changed: false, doc: current, result: null };
      if (!(await this.apply(id, current, change, opts))) throw notFound();
      return { changed: true, doc: copyDoc(withoutOutbox(change.doc)), result: change.result as R };
    });
  }

  upsert<R = undefined>(
    id: string,
    decide: DecideOrCreate<T, R>,
    opts: WriteOptions = {},
  ): Promise<UpdateOutcome<T | null, R>> {
    return this.leases.withLock(leaseName(this.name, id), async () => {
      // Two rounds at most: an `insertOnce` outside the lease may create the document while
      // `decide` runs; then decide again on what it wrote.
      for (let round = 0; ; round++) {
        const current = await this.get(id);
        const change = await decide(copyDoc(current));
        if (!change) return { changed: false, doc: current, result: null };
        const done = await this.apply(id, current, change, opts);
        if (done)
          return { changed: true, doc: copyDoc(withoutOutbox(change.doc)), result: change.result as R };
        if (round > 0) throw new Error(`${this.name}/${id} was created and removed while being upserted`);
      }
    });
  }

  remove(id: string, guard?: (current: T) => boolean): Promise<boolean> {
    return this.leases.withLock(leaseName(this.name, id), async () => {
      const current = await this.get(id);
      if (!current || (guard && !guard(current))) return false;
      return this.delete(id);
    });
  }

  /** Checks a change and writes it: an update of `current`, or an insert when there is none. */
  private async apply<R>(
    id: string,
    current: T | null,
    change: Change<T, R>,
    opts: WriteOptions,
  ): Promise<boolean> {
    if (change.doc._id !== id) throw new IdChanged(this.name, id, change.doc._id);
    const events = traced(change.events ?? []);
    assertValidEvents(this.name, id, events);
    const next = withoutOutbox(change.doc);
    return current ? this.write(current, next, events, opts) : this.insert(next, events, opts);
  }
}

/**
 * The events with the trace of the work that stores them: an event without a `traceparent` gets
 * the active span's (tracing on), so its consumers continue the trace that caused it even though
 * the outbox relay may publish it later, outside that work. Unchanged with tracing off.
 */
function traced(events: readonly HomewardEvent[]): readonly HomewardEvent[] {
  if (events.length === 0 || events.every((e) => e.traceparent !== undefined)) return events;
  const traceparent = activeTraceparent();
  if (traceparent === undefined) return events;
  return events.map((e) => (e.traceparent === undefined ? { ...e, traceparent } : e));
}

import type { HomewardEvent } from '@homeward/events';
import type { Filter } from 'mongodb';

/** Every stored document has a meaningful string `_id`: the one lookup FerretDB pushes down. */
export interface Doc {
  _id: string;
}

/**
 * What a decision changes: the next state of the whole document, the events that record the
 * change (stored in the same write, then published), and what the caller wants back.
 * `result` may be left out when the caller expects nothing (`R` includes `undefined`).
 */
export type Change<T extends Doc, R> = {
  doc: T;
  events?: readonly HomewardEvent[];
} & (undefined extends R ? { result?: R } : { result: R });

/**
 * Decides the next state from the current one, or `null` when there is nothing to change.
 * It runs under the aggregate's lease, so it sees the latest state and nobody writes in between;
 * keep it to deciding (a pure domain function, ideally). It may throw to refuse the change.
 */
export type Decide<T extends Doc, R> = (current: T) => Change<T, R> | null | Promise<Change<T, R> | null>;

/** {@link Decide} for {@link AggregateStore.upsert}: `current` is null when the document does not exist. */
export type DecideOrCreate<T extends Doc, R> = (
  current: T | null,
) => Change<T, R> | null | Promise<Change<T, R> | null>;

/** What an update did: the state now stored, and the decision's result when it changed something. */
export type UpdateOutcome<T, R> =
  | { changed: true; doc: T; result: R }
  | { changed: false; doc: T; result: null };

/** Per-write options. */
export interface WriteOptions {
  /**
   * Whether a write with events resolves only once they are published (the lease is held until
   * then, so the next writer's events follow on the topic). Default: the store's setting, which
   * defaults to `true`. With `false` the events are published in the background; a failure there
   * is left to the relay's sweep.
   */
  awaitPublish?: boolean;
}

/** Options of {@link AggregateStore.update}. */
export interface UpdateOptions extends WriteOptions {
  /** The error to throw when the document does not exist (default: {@link DocumentNotFound}). */
  notFound?: () => Error;
}

/** Sort order by field, in key order; ties are always broken by `_id` ascending. */
export type SortSpec = Record<string, 1 | -1>;

/** Fields to include (1) or to exclude (0); not both, except `_id: 0` with inclusions (MongoDB's rule). */
export type ProjectionSpec = Record<string, 0 | 1 | boolean>;

/** Options of {@link AggregateStore.list}: applied in MongoDB's order (sort, skip, limit, then projection). */
export interface ListOptions {
  sort?: SortSpec;
  skip?: number;
  limit?: number;
  projection?: ProjectionSpec;
}

/**
 * A MongoDB filter. Both adapters accept the subset FerretDB 1.24 implements: equality on fields
 * and dotted paths, `$eq $ne $gt $gte $lt $lte $in $nin $exists $and $or $nor $not $regex
 * $elemMatch $size $all`. Only an exact `{ _id: ... }` is pushed down to FerretDB's storage:
 * anything else reads the whole collection, so keep such queries off hot paths.
 */
export type StoreFilter<T extends Doc> = Filter<T>;

/**
 * One collection of aggregates: one document per aggregate, its `_id` meaningful. Created with
 * {@link AggregateStore.insertOnce}, changed only by {@link AggregateStore.update} under the
 * aggregate's lease, with the change's events stored in the same write (the outbox) and then
 * published. The outbox is never returned by a read.
 */
export interface AggregateStore<T extends Doc> {
  /** The collection's name (also the first half of each aggregate's lease name). */
  readonly name: string;

  /** The document by `_id`, without its outbox; null when there is none. */
  get(id: string): Promise<T | null>;

  /**
   * Inserts a new document with its events (published once stored). False when a document with
   * this `_id` exists already: a retry, a concurrent copy or a lost race; nothing is written or
   * published then.
   */
  insertOnce(doc: T, events?: readonly HomewardEvent[], opts?: WriteOptions): Promise<boolean>;

  /**
   * Under the aggregate's lease: reads the document, calls `decide`, writes the next state with
   * the events in one write by `_id`, then publishes them. Throws {@link DocumentNotFound} (or
   * `opts.notFound()`) when the document does not exist; `decide` is not called then.
   */
  update<R = undefined>(id: string, decide: Decide<T, R>, opts?: UpdateOptions): Promise<UpdateOutcome<T, R>>;

  /**
   * {@link AggregateStore.update} that also creates: `decide` receives null when the document
   * does not exist, and its `doc` is then inserted. For aggregates built from events that may
   * arrive before the one that "creates" them.
   */
  upsert<R = undefined>(
    id: string,
    decide: DecideOrCreate<T, R>,
    opts?: WriteOptions,
  ): Promise<UpdateOutcome<T | null, R>>;

  /**
   * Deletes the document under its lease, if `guard` (given the current state) allows; true when
   * it deleted one. Events still waiting in its outbox are published first.
   */
  remove(id: string, guard?: (current: T) => boolean): Promise<boolean>;

  /**
   * Documents matching a filter, without their outboxes. Not for hot paths (see
   * {@link StoreFilter}). With a projection, name the shape you get as `P`.
   */
  list<P extends Partial<T> = T>(filter?: StoreFilter<T>, options?: ListOptions): Promise<P[]>;

  /** How many documents match (a full read on FerretDB unless the filter is an exact `_id`). */
  count(filter?: StoreFilter<T>): Promise<number>;
}

/**
 * Append-only facts: rows written once with a deterministic `_id` (an idempotency key, the next
 * slot of a chain, the one review of a match) and never changed. The duplicate `_id` is what
 * makes a fact happen once, however many writers race.
 */
export type FactStore<T extends Doc> = Pick<
  AggregateStore<T>,
  'name' | 'get' | 'insertOnce' | 'list' | 'count'
>;

/** Where a service gets its stores from: MongoDB in production, memory in unit tests. */
export interface Persistence {
  /** The store of one collection of aggregates. */
  aggregate<T extends Doc>(collection: string, options?: StoreOptions): AggregateStore<T>;
  /** The store of one collection of append-only facts. */
  facts<T extends Doc>(collection: string, options?: FactOptions<T>): FactStore<T>;
}

/** Options of one store, given when the store is built. */
export interface StoreOptions {
  /** The default of {@link WriteOptions.awaitPublish} for this store's writes (default `true`). */
  awaitPublish?: boolean;
  /**
   * Documents are only ever inserted, never changed or removed (what `facts` builds): the relay
   * then publishes a document's events from the write itself and keeps no cursor for it.
   */
  insertOnly?: boolean;
  /**
   * The collection that holds the store's documents when it is not the store's own name: stores
   * of one service that write together (a report and the case it opens) share one, so that their
   * inserts go to the database in one group-committed `insertMany`, not one command per
   * collection. Their ids must never coincide; each store sees only its own documents (the
   * MongoDB adapter tags each with its store's name in `_store`). The store's name stays its lease
   * namespace and the name in its errors. The memory adapter keeps every store apart anyway.
   */
  collection?: string;
}

/** Options of a store of facts. */
export interface FactOptions<T extends Doc> extends StoreOptions {
  /**
   * The events a fact implies, derived from the fact alone (the same events its write was given):
   * then the MongoDB adapter does not store them beside it. A fact and its events carry the same
   * information twice otherwise, and the store's cost grows with what a write carries. The outbox
   * relay's sweep, which publishes what a crash left unpublished, derives them from the stored
   * fact. Give it only where the derivation is deterministic (ids and times from the fact).
   */
  eventsOf?: (doc: T) => readonly HomewardEvent[];
}

/** An update or remove of a document that does not exist. */
export class DocumentNotFound extends Error {
  readonly code = 'PERSISTENCE_ERR_NOT_FOUND';
  readonly retriable = false;

  constructor(
    readonly collection: string,
    readonly id: string,
  ) {
    super(`no document "${id}" in ${collection}`);
    this.name = 'DocumentNotFound';
  }
}

/**
 * Events that the catalogue refuses (the publisher would too): refused before anything is
 * written, so an invalid event never sits in an outbox. A programming error, never retried.
 */
export class InvalidEvents extends Error {
  readonly code = 'PERSISTENCE_ERR_INVALID_EVENT';
  readonly retriable = false;

  constructor(
    collection: string,
    id: string,
    readonly problems: Array<{ eventId: string; type: string; errors: unknown[] }>,
  ) {
    super(`refusing to store invalid events with ${collection}/${id}: ${JSON.stringify(problems)}`);
    this.name = 'InvalidEvents';
  }
}

/** A decision that tried to change a document's `_id` (a programming error, never retried). */
export class IdChanged extends Error {
  readonly code = 'PERSISTENCE_ERR_ID_CHANGED';
  readonly retriable = false;

  constructor(collection: string, from: string, to: unknown) {
    super(`a change of ${collection}/${from} returned a document with _id ${JSON.stringify(to)}`);
    this.name = 'IdChanged';
  }
}

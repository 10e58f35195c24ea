import type { HomewardEvent } from '@homeward/events';

/**
 * The persistence port the application service depends on, shaped as `@homeward/persistence`'s
 * `AggregateStore<T>` so that moving onto that package is a change of import: one document per
 * aggregate, read and written by `_id`; every change made under the aggregate's lease, with its
 * events in the same write (the outbox).
 */
export interface AggregateStore<T extends { _id: string }> {
  /** The document, without its outbox; null when there is none. */
  get(id: string): Promise<T | null>;
  /** Inserts a new document (with its events); false when one with this `_id` exists already. */
  insertOnce(doc: T, events?: HomewardEvent[]): Promise<boolean>;
  /**
   * Under the aggregate's lease: reads the document, asks `decide` for the next one, and writes
   * it with the decision's events in its outbox (publication awaited before the lease goes).
   * `decide` returning null writes nothing. Resolves to the document written (or read) and the
   * decision's result; null when there is no such document. What `decide` throws is rethrown.
   */
  update<R>(id: string, decide: (doc: T) => StoreDecision<T, R> | null): Promise<UpdateResult<T, R> | null>;
  /** Documents matching an equality filter (not a hot path: FerretDB filters in memory). */
  list(filter: ListFilter, options?: ListOptions): Promise<T[]>;
  /** How many documents match an equality filter (not a hot path either). */
  count(filter: ListFilter): Promise<number>;
}

export interface StoreDecision<T, R> {
  doc: T;
  events?: HomewardEvent[];
  result: R;
}

export interface UpdateResult<T, R> {
  doc: T;
  /** The decision's result; null when `decide` decided nothing. */
  result: R | null;
}

/** Field equality, or `{ $ne: value }`: the subset of MongoDB filters this service needs. */
export type ListFilter = Record<string, unknown>;

export interface ListOptions {
  /** Field → 1 (ascending) or -1 (descending), applied in order. */
  sort?: Record<string, 1 | -1>;
  skip?: number;
  limit?: number;
  /** Top-level fields left out of each document (large ones a list does not show). */
  exclude?: string[];
}

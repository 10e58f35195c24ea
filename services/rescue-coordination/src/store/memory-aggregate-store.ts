import type { HomewardEvent } from '@homeward/events';
import type {
  AggregateStore,
  ListFilter,
  ListOptions,
  StoreDecision,
  UpdateResult,
} from './aggregate-store.ts';

const matches = (doc: Record<string, unknown>, filter: ListFilter) =>
  Object.entries(filter).every(([field, want]) => {
    const have = doc[field];
    if (want !== null && typeof want === 'object' && '$ne' in want)
      return have !== (want as { $ne: unknown }).$ne;
    return have === want;
  });

/**
 * `AggregateStore` in memory, for unit tests of the application service: the same contract
 * (copies in and out, so a caller never shares state with the store; one writer per id at a
 * time), and `published` records every event a write carried, in order.
 */
export class MemoryAggregateStore<T extends { _id: string }> implements AggregateStore<T> {
  private readonly docs = new Map<string, T>();
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Every event written with a document, in write order (what the relay would publish). */
  readonly published: HomewardEvent[] = [];

  async get(id: string): Promise<T | null> {
    const doc = this.docs.get(id);
    return doc ? structuredClone(doc) : null;
  }

  async insertOnce(doc: T, events: HomewardEvent[] = []): Promise<boolean> {
    if (this.docs.has(doc._id)) return false;
    this.docs.set(doc._id, structuredClone(doc));
    this.published.push(...events);
    return true;
  }

  update<R>(id: string, decide: (doc: T) => StoreDecision<T, R> | null): Promise<UpdateResult<T, R> | null> {
    const run = async (): Promise<UpdateResult<T, R> | null> => {
      const doc = await this.get(id);
      if (!doc) return null;
      const decision = decide(doc);
      if (!decision) return { doc, result: null };
      this.docs.set(id, structuredClone(decision.doc));
      this.published.push(...(decision.events ?? []));
      return { doc: decision.doc, result: decision.result };
    };
    // One writer per id at a time, in arrival order, as the lease makes it.
    const next = (this.tails.get(id) ?? Promise.resolve()).then(run, run);
    this.tails.set(
      id,
      next.catch(() => undefined),
    );
    return next;
  }

  async list(filter: ListFilter, options: ListOptions = {}): Promise<T[]> {
    let found = [...this.docs.values()].filter((d) => matches(d as Record<string, unknown>, filter));
    const sort = Object.entries(options.sort ?? {});
    found.sort((a, b) => {
      for (const [field, dir] of sort) {
        const x = (a as Record<string, unknown>)[field] as number | string | Date;
        const y = (b as Record<string, unknown>)[field] as number | string | Date;
        if (x < y) return -dir;
        if (x > y) return dir;
      }
      return 0;
    });
    found = found.slice(options.skip ?? 0, (options.skip ?? 0) + (options.limit ?? found.length));
    return found.map((d) => {
      const copy = structuredClone(d) as Record<string, unknown>;
      for (const f of options.exclude ?? []) delete copy[f];
      return copy as T;
    });
  }

  async count(filter: ListFilter): Promise<number> {
    return [...this.docs.values()].filter((d) => matches(d as Record<string, unknown>, filter)).length;
  }
}

import type { HomewardEvent } from '@homeward/events';
import type { AggregateStore, Doc } from './aggregate-store.ts';

/** One document for {@link insertInOrder}: the store it goes to (see {@link linkOf}) and its events. */
export interface InsertLink {
  store: Pick<AggregateStore<Doc>, 'insertOnce'>;
  doc: Doc;
  events?: readonly HomewardEvent[];
}

/** What {@link insertInOrder} did with a link: inserted (true), refused as a duplicate `_id` (false), or not tried (undefined). */
export type LinkOutcome = boolean | undefined;

/**
 * A store that can insert a chain in one write; it answers undefined for a chain it cannot
 * (the MongoDB adapter: only documents of stores sharing its collection).
 */
export interface InsertsChains {
  insertChain(links: readonly InsertLink[]): Promise<LinkOutcome[]> | undefined;
}

/** A link of a chain, typed by its store. */
export function linkOf<T extends Doc>(
  store: Pick<AggregateStore<T>, 'insertOnce'>,
  doc: T,
  events?: readonly HomewardEvent[],
): InsertLink {
  return { store: store as unknown as InsertLink['store'], doc, ...(events ? { events } : {}) };
}

/**
 * Inserts documents in order, each only if every one before it was inserted (as `insertOnce`
 * does, events and all): a claim first, then what may only exist if the claim was made. Answers
 * per link. Stores that share one MongoDB collection insert the chain in one ordered command,
 * their outbox pointers inside it (one round of the store instead of one per document); any
 * other chain goes link by link, awaiting each. A link that fails (not as a duplicate) rejects
 * the whole call; the links before it stay inserted, as they would link by link.
 */
export async function insertInOrder(links: readonly InsertLink[]): Promise<LinkOutcome[]> {
  const together = (links[0]?.store as Partial<InsertsChains> | undefined)?.insertChain?.(links);
  if (together) return together;
  const outcomes: LinkOutcome[] = [];
  let stopped = false;
  for (const { store, doc, events } of links) {
    const inserted = stopped ? undefined : await store.insertOnce(doc, events ?? []);
    if (inserted === false) stopped = true;
    outcomes.push(inserted);
  }
  return outcomes;
}

import { randomUUID } from 'node:crypto';
import { createEvent, type HomewardEvent } from '@homeward/events';
import type { AggregateStore, Doc, StoreOptions } from '../../src/index.ts';

/** What the contract needs from an adapter under test. */
export interface ContractHarness {
  /** A store over a fresh, empty collection. */
  store<T extends Doc>(options?: StoreOptions): AggregateStore<T>;
  /**
   * The ids of every event published so far, in publication order (repeats included), once
   * each of `awaited` has been published at least once.
   */
  published(awaited: string[]): Promise<string[]>;
  /** The ids of the events kept in a document's stored outbox, oldest first. */
  storedOutbox(store: AggregateStore<Doc>, id: string): Promise<string[]>;
  close?(): Promise<void>;
}

/** A valid catalogue event keyed by its case id: the events of one case keep their order on the topic. */
export function caseClosed(caseId: string, id: string = randomUUID()): HomewardEvent {
  return createEvent(
    'homeward.case.closed',
    { caseId, closedAt: '2026-11-28T10:00:00Z', reason: 'contract test' },
    { source: 'test/persistence', id },
  ) as HomewardEvent;
}

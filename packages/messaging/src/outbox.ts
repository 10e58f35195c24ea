import { randomUUID } from 'node:crypto';
import type { HomewardEvent } from '@homeward/events';
import { isDuplicateKey } from '@homeward/persistence';
import type { Collection, Db, Document, UpdateFilter } from 'mongodb';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { messagingMetrics } from './metrics.ts';
import { type EventPublisher, type OutgoingEvent, routeOf } from './publisher.ts';

/**
 * The transactional outbox without transactions (FerretDB has none): an aggregate's events
 * ride inside its own document, appended by the same `updateOne` that changes its state, so
 * the change and its events are stored together or not at all.
 *
 * The relay never writes to the aggregate: FerretDB 1.24 applies an update by reading the
 * document, changing it and writing it back, so a relay removing entries at the moment a
 * service writes the same document could undo the service's change (measured: 39 of 40 such
 * races lost one write). Instead the relay keeps, in its own `outbox_cursors` collection, how
 * many of a document's entries it has published, and publishes the ones after that. The outbox
 * array is the aggregate's event history; it only grows.
 *
 * A relay that dies between publishing and moving its cursor publishes again on its next pass,
 * with the same event ids: consumers drop the repeat by id (at-least-once publishing,
 * exactly-once handling). To find such leftovers without scanning whole collections (FerretDB
 * pushes down only `_id` lookups), every write is preceded by a small pointer in
 * `outbox_pending`; the sweep reads only that collection.
 */
export interface OutboxFields {
  outbox?: OutgoingEvent[];
}

/** The fields to put on a new document so it is inserted with its events. */
export function outboxInsert(events: HomewardEvent[]): Required<OutboxFields> {
  return { outbox: events.map(routeOf) };
}

/** Adds events to an update: `$push` to the outbox, merged with whatever the update already does. */
export function withOutbox<T extends Document>(
  update: UpdateFilter<T>,
  events: HomewardEvent[],
): UpdateFilter<T> {
  if (events.length === 0) return update;
  const u = update as Record<string, Record<string, unknown> | undefined>;
  return {
    ...update,
    $push: { ...(u.$push ?? {}), outbox: { $each: events.map(routeOf) } },
  } as unknown as UpdateFilter<T>;
}

export interface OutboxRelayOptions {
  publisher: EventPublisher;
  /** The service's database: holds the `outbox_pending` pointers. */
  db: Db;
  logger: Logger;
  registry?: Registry;
  /** How often the safety-net sweep looks for pointers left by a crash. */
  sweepIntervalMs?: number;
  /** Documents flushed per round trip to the broker. */
  batchSize?: number;
  /** Test hook, called after a publish and before the removal (to simulate a crash there). */
  afterPublish?: (events: OutgoingEvent[]) => Promise<void> | void;
}

type OutboxDoc = OutboxFields & { _id: unknown };
interface PendingPointer {
  _id: string;
  collection: string;
  docId: unknown;
  /** New on every write: the relay removes the pointer only if no later write renewed it. */
  nonce: string;
}

interface Pending {
  col: Collection<OutboxDoc>;
  id: unknown;
  nonce: string | undefined;
}

interface OutboxCursor {
  _id: string;
  /** How many of the document's outbox entries have been published. */
  published: number;
}

const PENDING = 'outbox_pending';
const CURSORS = 'outbox_cursors';

/**
 * Publishes what the outbox holds. Services write through {@link OutboxRelay.commit}: pointer,
 * write, publish (the fast path, milliseconds); the periodic sweep finishes what a crash left.
 */
export class OutboxRelay {
  private readonly collections = new Map<string, Collection<OutboxDoc>>();
  private readonly pointers: Collection<PendingPointer>;
  private readonly cursors: Collection<OutboxCursor>;
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private stopped = false;
  private readonly metrics;

  constructor(private readonly opts: OutboxRelayOptions) {
    this.metrics = opts.registry ? messagingMetrics(opts.registry) : undefined;
    this.pointers = opts.db.collection<PendingPointer>(PENDING);
    this.cursors = opts.db.collection<OutboxCursor>(CURSORS);
  }

  /** Registers a collection whose documents carry an outbox. */
  watch<T extends Document>(collection: Collection<T>): this {
    this.collections.set(collection.collectionName, collection as unknown as Collection<OutboxDoc>);
    return this;
  }

  /**
   * Runs a write that adds to a document's outbox, then publishes. The pointer written first
   * lets the sweep find the document if this process dies before the publish. Resolves after
   * the write; the publish goes on in the background (its failure is left to the sweep).
   */
  async commit<T extends Document, R>(
    collection: Collection<T>,
    id: unknown,
    write: () => Promise<R>,
  ): Promise<R> {
    this.watch(collection);
    const pointer: PendingPointer = {
      _id: pointerId(collection.collectionName, id),
      collection: collection.collectionName,
      docId: id,
      nonce: randomUUID(),
    };
    try {
      await this.pointers.replaceOne({ _id: pointer._id }, pointer, { upsert: true });
    } catch (err) {
      // Two writers upserting one pointer at once: the loser's insert collides; the pointer
      // exists now, so renew it in place.
      if (!isDuplicateKey(err)) throw err;
      await this.pointers.replaceOne({ _id: pointer._id }, pointer);
    }
    const result = await write();
    this.enqueue(pointer._id, {
      col: collection as unknown as Collection<OutboxDoc>,
      id,
      nonce: pointer.nonce,
    });
    this.drain().catch((err: unknown) =>
      this.opts.logger.warn({ err }, 'outbox publish deferred to the sweep'),
    );
    return result;
  }

  start(): void {
    this.stopped = false;
    const interval = this.opts.sweepIntervalMs ?? 2_000;
    const tick = () => {
      this.sweep()
        .catch((err: unknown) => this.opts.logger.warn({ err }, 'outbox sweep failed; will retry'))
        .finally(() => {
          if (!this.stopped && this.timer !== undefined) this.timer = setTimeout(tick, interval);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /**
   * The outbox entry a write stores for an event: its topic and key from the catalogue. For
   * writers that build the outbox themselves (@homeward/persistence's MongoDB adapter).
   */
  entry(event: HomewardEvent): OutgoingEvent {
    return routeOf(event);
  }

  /** Asks the relay to publish one document's outbox now, and resolves when it did. */
  async notify<T extends Document>(collection: Collection<T>, id: unknown): Promise<void> {
    this.watch(collection);
    this.enqueue(pointerId(collection.collectionName, id), {
      col: collection as unknown as Collection<OutboxDoc>,
      id,
      nonce: undefined,
    });
    await this.drain();
  }

  private enqueue(key: string, p: Pending): void {
    // A later write's nonce wins; a notify without one must not erase it.
    const prev = this.pending.get(key);
    this.pending.set(key, { ...p, nonce: p.nonce ?? prev?.nonce });
  }

  /** Publishes the outbox of every document a pointer names (what a crash left behind). */
  async sweep(): Promise<number> {
    const found = await this.pointers.find({}).limit(10_000).toArray();
    this.metrics?.outboxPending.set({ collection: PENDING }, found.length);
    for (const p of found) {
      const col = this.collections.get(p.collection);
      if (col) this.enqueue(p._id, { col, id: p.docId, nonce: p.nonce });
    }
    if (found.length > 0) await this.drain();
    return found.length;
  }

  private drain(): Promise<void> {
    // A stopped relay publishes nothing more: what is pending stays for the sweep of the next.
    if (this.stopped) return Promise.resolve();
    // One drain at a time: two concurrent flushes of one document would publish it twice.
    if (!this.draining) {
      this.draining = (async () => {
        try {
          while (!this.stopped && this.pending.size > 0) {
            const batch = [...this.pending].slice(0, this.opts.batchSize ?? 256);
            for (const [key] of batch) this.pending.delete(key);
            await this.flush(batch);
          }
        } finally {
          this.draining = undefined;
        }
      })();
      return this.draining;
    }
    // A drain is running; it will reach our document. Chain so the caller waits for it.
    return this.draining.then(() => (!this.stopped && this.pending.size > 0 ? this.drain() : undefined));
  }

  /** Publish what each document of a batch holds past its cursor, in one send; then move the cursors. */
  private async flush(batch: Array<[string, Pending]>): Promise<void> {
    const docs = await Promise.all(
      batch.map(async ([key, { col, id, nonce }]) => {
        const [doc, cursor] = await Promise.all([
          col.findOne({ _id: id } as never, { projection: { outbox: 1 } }),
          this.cursors.findOne({ _id: key }),
        ]);
        const outbox = doc?.outbox ?? [];
        // A cursor past the end means the array was rewritten: publish it all again (ids dedupe).
        const from = cursor && cursor.published <= outbox.length ? cursor.published : 0;
        return { key, nonce, total: outbox.length, fresh: outbox.slice(from), moved: from !== outbox.length };
      }),
    );
    const events = docs.flatMap((d) => d.fresh);
    if (events.length > 0) {
      await this.opts.publisher.send(events);
      await this.opts.afterPublish?.(events);
    }
    await Promise.all(
      docs.map(async (d) => {
        if (d.moved) await this.setCursor(d.key, d.total);
        // Only the pointer we acted on: a write since then renewed it and needs its own flush.
        if (d.nonce !== undefined) await this.pointers.deleteOne({ _id: d.key, nonce: d.nonce });
      }),
    );
  }

  private async setCursor(key: string, published: number): Promise<void> {
    try {
      await this.cursors.replaceOne({ _id: key }, { published }, { upsert: true });
    } catch (err) {
      // Two relays creating one cursor at once: it exists now; set it in place.
      if (!isDuplicateKey(err)) throw err;
      await this.cursors.replaceOne({ _id: key }, { published });
    }
  }

  /**
   * Graceful stop: no more sweeps, everything already written is published, then nothing more.
   * (A write that races with the stop keeps its pointer; the next start's sweep publishes it.)
   */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.drain().catch((err: unknown) =>
      this.opts.logger.warn({ err }, 'outbox: final flush failed; the next sweep will publish'),
    );
    this.stopped = true;
    await this.draining;
  }
}

function pointerId(collection: string, id: unknown): string {
  return `${collection}:${typeof id === 'string' ? id : JSON.stringify(id)}`;
}

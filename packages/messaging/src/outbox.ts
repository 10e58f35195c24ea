import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HomewardEvent } from '@homeward/events';
import {
  type DerivedOutbox,
  isDerivedOutbox,
  isDuplicateKey,
  type OnceWrite,
  type WriteLane,
  writeLaneOf,
} from '@homeward/persistence';
import type { Collection, Db, Document, UpdateFilter } from 'mongodb';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { messagingMetrics } from './metrics.ts';
import { type ActedPointer, OutboxPointers, PENDING, type PendingPointer } from './outbox-pointers.ts';
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
 * `outbox_pending`, or, for the facts inserted in chains, one pointer per insert command in front
 * of them in their own collection (`besidePointer`); the sweep reads only those pointers.
 *
 * What it costs the store, per write with events: the pointer, the write, the cursor and the
 * pointer's removal. Pointers written at the same time go in one `insertMany`, and the flushes
 * that end within a short linger remove their pointers in one `deleteMany`, which the next flush
 * does not wait for (group commit: on FerretDB's single-writer SQLite a transaction is the unit
 * of cost; the pointers' own module is outbox-pointers.ts). A document inserted once and never changed (a fact, such as
 * intake's report) needs no cursor: its events are all it will ever hold, so the relay publishes
 * them from the write itself, reading nothing first while the write is young (a sweep leaves
 * young pointers of facts to their writers: see `onceGraceMs`), and records nothing but the
 * pointer's removal.
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
  /**
   * How old a `once` write's pointer must be before a sweep acts on it (default 10 s, the
   * lifetime of a lease): younger, its writer (in any instance) is publishing it from its
   * fast path, which reads no pointer while its own write is younger than half of this.
   */
  onceGraceMs?: number;
  /** The wall clock of the pointers' `at` and of the sweep's grace (default `Date.now`). */
  now?: () => number;
  /** Test hook, called after a publish and before the removal (to simulate a crash there). */
  afterPublish?: (events: OutgoingEvent[]) => Promise<void> | void;
  /** Test hook, called before published pointers are removed (to hold their removal back). */
  beforeRemove?: (pointers: ActedPointer[]) => Promise<void> | void;
  /** How long published pointers wait to be removed together (default 200 ms; see outbox-pointers.ts). */
  removeLingerMs?: number;
  /**
   * The least time between the starts of two sends to the broker (default 0). Under load a send
   * then carries what arrived meanwhile, in one produce request instead of several (each one a
   * request the broker handles and a socket write that wakes it); an idle relay still sends at
   * once. It delays an event by up to this much, so only where that costs nothing (intake: its
   * events go out after the 202).
   */
  minSendIntervalMs?: number;
}

/** A document as the relay reads it: its outbox holds the events, or a fact's writer (see `watch`). */
type OutboxDoc = { _id: unknown; outbox?: OutboxFields['outbox'] | DerivedOutbox };

interface Pending {
  col: Collection<OutboxDoc>;
  id: unknown;
  nonce: string | undefined;
  once?: true;
  /** The events a `once` write stored, when the writer handed them over: no read needed. */
  events?: OutgoingEvent[];
  /** When this process began the `once` write that handed `events` over (`performance.now()`). */
  since?: number;
}

interface OutboxCursor {
  _id: string;
  /** How many of the document's outbox entries have been published. */
  published: number;
}

const CURSORS = 'outbox_cursors';

/**
 * Publishes what the outbox holds. Services write through {@link OutboxRelay.commit}: pointer,
 * write, publish (the fast path, milliseconds); the periodic sweep finishes what a crash left.
 */
export class OutboxRelay {
  private readonly collections = new Map<string, Collection<OutboxDoc>>();
  /** Collections whose `once` documents' events are derived from them (see `watch`). */
  private readonly derivations = new Map<string, (doc: Document) => readonly HomewardEvent[]>();
  private readonly pointers: OutboxPointers;
  private readonly cursors: Collection<OutboxCursor>;
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private stopped = false;
  /** When the last flush started (`performance.now()`), for `minSendIntervalMs`. */
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private readonly metrics;
  /**
   * The pointers of this process's `once` writes, from before the pointer is written until the
   * flush that publishes the write is over: its sweep leaves them to that flush.
   */
  private readonly ownOnce = new Set<string>();
  private readonly onceGraceMs: number;
  private readonly now: () => number;
  /** The database's writes, one at a time (see @homeward/persistence's write-lane.ts). */
  private readonly lane: WriteLane;

  constructor(private readonly opts: OutboxRelayOptions) {
    this.lane = writeLaneOf(opts.db);
    this.metrics = opts.registry ? messagingMetrics(opts.registry) : undefined;
    this.pointers = new OutboxPointers({
      db: opts.db,
      logger: opts.logger,
      ...(opts.removeLingerMs !== undefined ? { removeLingerMs: opts.removeLingerMs } : {}),
      ...(opts.beforeRemove ? { beforeRemove: opts.beforeRemove } : {}),
    });
    this.cursors = opts.db.collection<OutboxCursor>(CURSORS);
    this.onceGraceMs = opts.onceGraceMs ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** The pointer of a write (see {@link OutboxPointers.of}), stamped with this relay's clock. */
  private pointerOf(
    collection: string,
    id: unknown,
    nonce: string,
    once: boolean,
    beside = false,
  ): PendingPointer {
    return OutboxPointers.of(collection, id, nonce, once, new Date(this.now()), beside);
  }

  /**
   * The pointer of the `once` writes of one insert command (persistence's `insertInOrder`), each
   * fact named by its `_id` and its write's token: a document for the writer to insert in front
   * of them, in the same ordered insert (see outbox-pointers.ts' `CommandPointer`); their commits
   * then pass `beside`. The collection must be watched with `pointersBeside`.
   */
  besidePointer<T extends Document>(
    collection: Collection<T>,
    facts: ReadonlyArray<{ id: unknown; token: string }>,
  ): PendingPointer {
    if (!this.pointers.keepsBeside(collection.collectionName))
      throw new Error(`${collection.collectionName}: watched without pointersBeside`);
    return this.pointers.command(collection.collectionName, facts, new Date(this.now()));
  }

  /**
   * Takes back the pointer of a `once` write that stored nothing: it would only make the sweep
   * publish, again, the document a winner wrote. A pointer left behind (the store failing now)
   * names a document its write never stored: a sweep past the grace leaves it, or removes it once
   * another write stored the document.
   */
  private async dropOncePointer(key: string): Promise<void> {
    await this.pointers.drop(key);
    this.ownOnce.delete(key);
  }

  /**
   * Registers a collection whose documents carry an outbox; with `eventsOf`, the events of its
   * `once` documents that its store keeps out of them (persistence's `DerivedOutbox`), which the
   * sweep derives from the stored document; with `pointersBeside`, that its writers may insert
   * pointers there (`besidePointer`), which the sweep then looks for there too. A later call
   * without them keeps what an earlier one gave.
   */
  watch<T extends Document>(
    collection: Collection<T>,
    eventsOf?: (doc: T) => readonly HomewardEvent[],
    options: { pointersBeside?: boolean } = {},
  ): this {
    this.collections.set(collection.collectionName, collection as unknown as Collection<OutboxDoc>);
    if (options.pointersBeside) this.pointers.keepBeside(collection.collectionName);
    if (eventsOf)
      this.derivations.set(
        collection.collectionName,
        eventsOf as (doc: Document) => readonly HomewardEvent[],
      );
    return this;
  }

  /**
   * Runs a write that adds to a document's outbox, then publishes. The pointer written first
   * lets the sweep find the document if this process dies before the publish. Resolves after
   * the write; the publish goes on in the background (its failure is left to the sweep).
   * `written.once` says the write inserts a document that is never changed after, with exactly
   * `written.events` in its outbox: they are published from here, with no cursor.
   */
  async commit<T extends Document, R>(
    collection: Collection<T>,
    id: unknown,
    write: () => Promise<R>,
    written?: OnceWrite,
  ): Promise<R> {
    this.watch(collection);
    const nonce = written?.token ?? randomUUID();
    const pointer = this.pointerOf(
      collection.collectionName,
      id,
      nonce,
      written?.once === true,
      written?.beside === true,
    );
    const since = performance.now();
    if (written?.once) this.ownOnce.add(pointer._id);
    let result: R;
    try {
      // A pointer beside the write goes in with it.
      if (!written?.beside) await this.pointers.write(pointer);
      result = await write();
    } catch (err) {
      // A write that stored nothing: its command's pointer no longer waits for it; its own
      // pointer is taken back.
      if (written?.beside) {
        this.pointers.unwritten(pointer._id);
        this.ownOnce.delete(pointer._id);
      } else if (written?.once) await this.dropOncePointer(pointer._id);
      throw err;
    }
    this.enqueue(pointer._id, {
      col: collection as unknown as Collection<OutboxDoc>,
      id,
      nonce: pointer.nonce,
      ...(written?.once ? { once: true as const, events: written.events as OutgoingEvent[], since } : {}),
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

  /**
   * Asks the relay to publish one document's outbox now, and resolves when it did. After a
   * `once` commit, whose events are already queued from the write, it waits for them.
   */
  async notify<T extends Document>(
    collection: Collection<T>,
    id: unknown,
    written?: Pick<OnceWrite, 'once'>,
  ): Promise<void> {
    this.watch(collection);
    if (written?.once) return this.drain();
    this.enqueue(OutboxPointers.key(collection.collectionName, id), {
      col: collection as unknown as Collection<OutboxDoc>,
      id,
      nonce: undefined,
    });
    await this.drain();
  }

  private enqueue(key: string, p: Pending): void {
    // A later write's nonce wins; a notify without one must not erase it, nor what a `once`
    // write handed over.
    const prev = this.pending.get(key);
    this.pending.set(key, {
      ...p,
      nonce: p.nonce ?? prev?.nonce,
      once: p.once ?? prev?.once,
      events: p.events ?? prev?.events,
      since: p.since ?? prev?.since,
    });
  }

  /** Publishes the outbox of every document a pointer names (what a crash left behind). */
  async sweep(): Promise<number> {
    const found = await this.pointers.all();
    this.metrics?.outboxPending.set({ collection: PENDING }, found.length);
    const now = this.now();
    for (const pointer of found) {
      // Published already, its pointer on its way out.
      if (this.pointers.isRemoving(pointer)) continue;
      const col = this.collections.get(pointer.collection);
      if (!col) continue;
      // A command's pointer: each of its facts not settled yet, as if it had a pointer of its own.
      for (const p of pointer.facts ? this.pointers.factsOf(pointer) : [pointer]) {
        // A `once` write of this process, or a young one of another: its writer publishes it.
        if (p.once && (this.ownOnce.has(p._id) || (p.at && now - p.at.getTime() < this.onceGraceMs)))
          continue;
        this.enqueue(p._id, { col, id: p.docId, nonce: p.nonce, ...(p.once ? { once: p.once } : {}) });
      }
    }
    if (found.length > 0) await this.drain();
    return found.length;
  }

  private drain(): Promise<void> {
    // A stopped relay publishes nothing more: what is pending stays for the sweep of the next.
    if (this.stopped) return Promise.resolve();
    // One drain at a time: two concurrent flushes of one document would publish it twice.
    if (!this.draining) {
      // Nothing to do: the loop below would end before `draining` is even set, and leave it set.
      if (this.pending.size === 0) return Promise.resolve();
      this.draining = (async () => {
        try {
          while (!this.stopped && this.pending.size > 0) {
            const wait = this.lastFlushAt + (this.opts.minSendIntervalMs ?? 0) - performance.now();
            if (wait > 0) await sleep(wait);
            this.lastFlushAt = performance.now();
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

  /**
   * Publish what each document of a batch holds past its cursor, in one send; then move the
   * cursors and remove the pointers (in one delete). A `once` document is published whole, from
   * the events its write handed over when there are some, and has no cursor.
   */
  private async flush(batch: Array<[string, Pending]>): Promise<void> {
    try {
      await this.publish(batch);
    } finally {
      for (const [key] of batch) this.ownOnce.delete(key);
    }
  }

  private async publish(batch: Array<[string, Pending]>): Promise<void> {
    // A `once` write of this process, younger than half the grace, is published from what it
    // handed over: no sweep acts on it meanwhile (this relay's leaves it, another instance's
    // waits out the grace). Any other `once` document is published only while its write's
    // pointer is there: whoever published it (a sweep, another instance's fast path) removed
    // the pointer after.
    const fresh = performance.now() - this.onceGraceMs / 2;
    const fast = (p: Pending) => p.events !== undefined && p.since !== undefined && p.since > fresh;
    const present = await this.pointers.present(
      batch.filter(([, p]) => p.once && !fast(p)).map(([key]) => key),
    );
    const docs = await Promise.all(
      batch.map(async ([key, p]) => {
        const { col, id, nonce, once, events } = p;
        if (once) {
          const none = { key, nonce: undefined, total: 0, fresh: [] as OutgoingEvent[], moved: false };
          if (events && fast(p)) return { key, nonce, total: events.length, fresh: events, moved: false };
          if (present.get(key) !== nonce) return none;
          if (events) return { key, nonce, total: events.length, fresh: events, moved: false };
          // Found by the sweep: not stored yet if its write is still on its way (then the
          // pointer stays); the pointer of a copy that lost the insert if the stored outbox is
          // another writer's (then the pointer goes, and nothing is published).
          const eventsOf = this.derivations.get(col.collectionName);
          // A document whose events derive from it is read whole, to derive them.
          const doc = await col.findOne({ _id: id } as never, eventsOf ? {} : { projection: { outbox: 1 } });
          // Not stored. A fact of a command's pointer past the grace is settled, so that the
          // pointer goes once its other facts are: its command is long over, and a later one
          // that stores the fact names it in a pointer of its own (see outbox-pointers.ts).
          if (!doc) return this.pointers.isCommandFact(key) ? { ...none, nonce } : none;
          if (isDerivedOutbox(doc.outbox)) {
            if (!eventsOf)
              throw new Error(`${col.collectionName}: no derivation for the events of ${String(id)}`);
            const derived = doc.outbox.writer === nonce ? eventsOf(doc).map(routeOf) : [];
            return { key, nonce, total: derived.length, fresh: derived, moved: false };
          }
          const outbox = doc.outbox ?? [];
          const mine = outbox.length > 0 && (outbox[0] as { writer?: string }).writer === nonce;
          return { key, nonce, total: outbox.length, fresh: mine ? outbox : [], moved: false };
        }
        const [doc, cursor] = await Promise.all([
          col.findOne({ _id: id } as never, { projection: { outbox: 1 } }),
          this.cursors.findOne({ _id: key }),
        ]);
        // Only facts derive their events, and they have no cursor.
        const outbox = isDerivedOutbox(doc?.outbox) ? [] : (doc?.outbox ?? []);
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
    await Promise.all(docs.map(async (d) => (d.moved ? this.setCursor(d.key, d.total) : undefined)));
    // Only the pointers we acted on: a write since then renewed its pointer and needs its own flush.
    // A `once` pointer is this write's alone (its nonce is in its `_id`): removed by `_id`.
    const acted = docs.flatMap((d, i) =>
      d.nonce !== undefined
        ? [{ _id: d.key, nonce: d.nonce, ...(batch[i]![1].once ? { once: true as const } : {}) }]
        : [],
    );
    this.pointers.remove(acted);
  }

  private async setCursor(key: string, published: number): Promise<void> {
    try {
      await this.lane.run(() => this.cursors.replaceOne({ _id: key }, { published }, { upsert: true }));
    } catch (err) {
      // Two relays creating one cursor at once: it exists now; set it in place.
      if (!isDuplicateKey(err)) throw err;
      await this.lane.run(() => this.cursors.replaceOne({ _id: key }, { published }));
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
    await this.pointers.settle();
  }
}

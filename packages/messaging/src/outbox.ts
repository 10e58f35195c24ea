import type { CloudEvent, HomewardEvent } from '@homeward/events';
import type { Collection, Document, UpdateFilter } from 'mongodb';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { messagingMetrics } from './metrics.ts';
import { type EventPublisher, type OutgoingEvent, routeOf } from './publisher.ts';

/**
 * The transactional outbox without transactions (FerretDB has none): an aggregate's pending
 * events ride inside its own document, written by the same `updateOne` that changes its state,
 * so the change and its events are stored together or not at all. The relay then publishes
 * them and removes them. A relay that dies between the two publishes them again on its next
 * pass, with the same event ids: consumers drop the repeat by id (at-least-once publishing,
 * exactly-once handling).
 */
export interface OutboxFields {
  outbox?: OutgoingEvent[];
  /** Bumped by every write that adds to the outbox; the relay's removal is conditional on it. */
  outboxRev?: number;
}

/** The fields to put on a new document so it is inserted with its events. */
export function outboxInsert(events: HomewardEvent[]): Required<OutboxFields> {
  return { outbox: events.map(routeOf), outboxRev: 1 };
}

/**
 * Adds events to an update: `$push` to the outbox and bump its revision, merged with whatever
 * the update already does.
 */
export function withOutbox<T extends Document>(
  update: UpdateFilter<T>,
  events: HomewardEvent[],
): UpdateFilter<T> {
  if (events.length === 0) return update;
  const u = update as Record<string, Record<string, unknown> | undefined>;
  return {
    ...update,
    $push: { ...(u.$push ?? {}), outbox: { $each: events.map(routeOf) } },
    $inc: { ...(u.$inc ?? {}), outboxRev: 1 },
  } as unknown as UpdateFilter<T>;
}

export interface OutboxRelayOptions {
  publisher: EventPublisher;
  logger: Logger;
  registry?: Registry;
  /** How often the safety-net sweep looks for documents whose events were not published. */
  sweepIntervalMs?: number;
  /** Test hook, called after a publish and before the removal (to simulate a crash there). */
  afterPublish?: (events: OutgoingEvent[]) => Promise<void> | void;
}

type OutboxDoc = OutboxFields & { _id: unknown };

/**
 * Publishes what the outbox holds. Services call {@link OutboxRelay.notify} after each write
 * (the fast path, milliseconds); the periodic sweep catches what a crash left behind.
 */
export class OutboxRelay {
  private readonly collections = new Map<string, Collection<OutboxDoc>>();
  private readonly pending = new Map<string, Set<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private stopped = false;
  private readonly metrics;

  constructor(private readonly opts: OutboxRelayOptions) {
    this.metrics = opts.registry ? messagingMetrics(opts.registry) : undefined;
  }

  /** Registers a collection whose documents carry an outbox. */
  watch<T extends Document>(collection: Collection<T>): this {
    this.collections.set(collection.collectionName, collection as unknown as Collection<OutboxDoc>);
    return this;
  }

  start(): void {
    this.stopped = false;
    const interval = this.opts.sweepIntervalMs ?? 2_000;
    const tick = () => {
      this.sweep()
        .catch((err: unknown) => this.opts.logger.warn({ err }, 'outbox sweep failed; will retry'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, interval);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Asks the relay to publish one document's outbox now, and resolves when it did. */
  async notify<T extends Document>(collection: Collection<T>, id: unknown): Promise<void> {
    const name = collection.collectionName;
    if (!this.collections.has(name)) this.watch(collection);
    const set = this.pending.get(name) ?? new Set();
    set.add(id);
    this.pending.set(name, set);
    await this.drain();
  }

  /** Publishes every pending outbox found by a scan of the watched collections. */
  async sweep(): Promise<number> {
    let found = 0;
    for (const [name, col] of this.collections) {
      // A scan on FerretDB (only _id lookups are pushed down): hence the long interval; the
      // fast path above is what keeps latency low.
      const ids = await col.find({ 'outbox.0': { $exists: true } }, { projection: { _id: 1 } }).toArray();
      this.metrics?.outboxPending.set({ collection: name }, ids.length);
      found += ids.length;
      const set = this.pending.get(name) ?? new Set();
      for (const d of ids) set.add(d._id);
      this.pending.set(name, set);
    }
    if (found > 0) await this.drain();
    return found;
  }

  private drain(): Promise<void> {
    // One drain at a time: concurrent flushes of the same document would publish twice.
    if (!this.draining) {
      this.draining = (async () => {
        try {
          while (!this.stopped) {
            const next = this.takePending();
            if (!next) break;
            await this.flushDocument(next.col, next.id);
          }
        } finally {
          this.draining = undefined;
        }
      })();
      return this.draining;
    }
    // A drain is running; it will reach our id. Chain so the caller waits for it.
    return this.draining.then(() => (this.hasPending() ? this.drain() : undefined));
  }

  private hasPending(): boolean {
    for (const s of this.pending.values()) if (s.size > 0) return true;
    return false;
  }

  private takePending(): { col: Collection<OutboxDoc>; id: unknown } | undefined {
    for (const [name, set] of this.pending) {
      const first = set.values().next();
      if (!first.done) {
        set.delete(first.value);
        const col = this.collections.get(name);
        if (col) return { col, id: first.value };
      }
    }
    return undefined;
  }

  /** Publish, then remove what was published, conditional on nobody having added meanwhile. */
  private async flushDocument(col: Collection<OutboxDoc>, id: unknown): Promise<void> {
    const published = new Set<string>();
    for (let round = 0; round < 10; round++) {
      const doc = await col.findOne({ _id: id } as never, { projection: { outbox: 1, outboxRev: 1 } });
      const outbox = doc?.outbox ?? [];
      const fresh = outbox.filter((e) => !published.has((e.event as CloudEvent).id));
      if (fresh.length > 0) {
        await this.opts.publisher.send(fresh);
        for (const e of fresh) published.add((e.event as CloudEvent).id);
        await this.opts.afterPublish?.(fresh);
      }
      if (outbox.length === 0) return;
      const rev = doc?.outboxRev ?? 0;
      const res = await col.updateOne(
        { _id: id, outboxRev: rev } as never,
        { $set: { outbox: [] }, $inc: { outboxRev: 1 } } as never,
      );
      if (res.matchedCount === 1) return;
      // A write added events between our read and our removal: read again and publish those.
    }
    this.opts.logger.warn({ id }, 'outbox document kept changing; the sweep will finish it');
  }

  /** Stops the sweep and waits for a publish in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.draining;
  }
}

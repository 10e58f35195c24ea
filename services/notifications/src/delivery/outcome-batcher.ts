import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEvent, type HomewardEvent } from '@homeward/events';
import { type EventPublisher, routeOf } from '@homeward/messaging';
import type { Clock, Logger } from '@homeward/service-kit';
import type { AlertPlace } from '../domain/alert-place.ts';
import type { DeliveryKind } from '../domain/claims.ts';
import { SOURCE } from '../domain/unit-alert.ts';
import type { ClaimLedger } from '../store/claim-ledger.ts';
import type { DeliveryBatchDoc, DeliveryEntry, DeliveryStore } from '../store/delivery-store.ts';
import type { FanoutMetrics } from './fanout-metrics.ts';

/** One settled delivery, waiting to be reported and recorded. */
export interface Outcome {
  alertId: string;
  unitId: string;
  kind: DeliveryKind;
  step: number;
  ok: boolean;
  attempts: number;
  latencyMs: number;
  /**
   * When it settled, in epoch ms: a number, not a Date per outcome (a fan-out's outcomes live
   * through its last webhook, each Date one more object for every scavenge to copy).
   */
  at: number;
  reason?: string;
  traceparent?: string;
  /** The alert's case and region, repeated on the event (one object shared by a fan-out's outcomes). */
  place?: AlertPlace;
}

/**
 * Collects delivery outcomes and settles them in batches: one `publisher.send` for the whole
 * batch (delivered/failed events), one `insertMany` of durable records, one Redis pipeline that
 * marks the claims settled — in that order. A crash after the publish and before the records
 * leaves the claims pending: after their lease another instance sends again (same webhook-id)
 * and publishes again (same event ids), so outcome events are at-least-once with stable ids and
 * consumers drop the repeats. Nothing is reported before the unit answered.
 */
export class OutcomeBatcher {
  /** The collected batch: its outcomes and, at the same index, who is told when each is settled. */
  private outcomes: Outcome[] = [];
  private dones: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly deps: {
      publisher: EventPublisher;
      store: DeliveryStore;
      ledger: ClaimLedger;
      clock: Clock;
      logger: Logger;
      flushMs: number;
      batchSize: number;
      /**
       * Whether webhooks are queued for a slot or claims are on their way: settling waits (up to
       * `maxDeferMs`) so its CPU (encoding, the broker, the database) does not compete with a
       * fan-out's deliveries. It also waits while outcomes keep coming (see {@link holdsBack}).
       */
      isBusy?: () => boolean;
      maxDeferMs?: number;
      /**
       * Each outcome counted once it is settled (here, off the deliveries' path: the metrics'
       * label lookups and histogram buckets cost nothing while webhooks queue).
       */
      metrics?: FanoutMetrics;
    },
  ) {}

  /** When the collected batch got its first outcome, and its latest (performance.now()). */
  private oldest = 0;
  private latest = 0;

  /** Adds an outcome; resolves once it is published, recorded and settled. */
  add(outcome: Outcome): Promise<void> {
    return new Promise<void>((done) => this.push(outcome, done));
  }

  /**
   * Adds an outcome and calls `done` once it is published, recorded and settled: what a fan-out
   * of thousands uses, a callback per outcome rather than a promise.
   */
  push(outcome: Outcome, done: () => void): void {
    const now = performance.now();
    if (this.outcomes.length === 0) this.oldest = now;
    this.latest = now;
    // Two arrays, not an object per outcome: a fan-out's outcomes wait here through its last
    // webhook, thousands of objects more for each collection to copy.
    this.outcomes.push(outcome);
    this.dones.push(done);
    if (this.outcomes.length >= this.deps.batchSize && !this.deferring()) this.flushNow();
    else this.timer ??= setTimeout(() => this.onTimer(), this.deps.flushMs);
  }

  private deferring(): boolean {
    if (this.stopped) return false;
    const now = performance.now();
    return holdsBack({
      busy: this.deps.isBusy?.() ?? false,
      sinceOldestMs: now - this.oldest,
      sinceLatestMs: now - this.latest,
      flushMs: this.deps.flushMs,
      maxDeferMs: this.deps.maxDeferMs ?? 0,
    });
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.deferring()) this.timer = setTimeout(() => this.onTimer(), this.deps.flushMs);
    else this.flushNow();
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const outcomes = this.outcomes;
    const dones = this.dones;
    this.outcomes = [];
    this.dones = [];
    // A deferred batch may have grown past the batch size: settle it in batch-size slices
    // (one produce request each stays under the broker's message size limit).
    const size = this.deps.batchSize;
    for (let i = 0; i < outcomes.length; i += size) {
      const slice = outcomes.slice(i, i + size);
      const told = dones.slice(i, i + size);
      this.flushing = this.flushing.then(() => this.settle(slice, told));
    }
  }

  /** Settles a batch, retrying until it succeeds (the broker or the database may be away). */
  private async settle(outcomes: Outcome[], dones: Array<() => void>): Promise<void> {
    // Drawn once: every retry writes the same records.
    const batchId = randomUUID();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.write(outcomes, batchId);
        const metrics = this.deps.metrics;
        for (let i = 0; i < outcomes.length; i++) {
          const o = outcomes[i]!;
          metrics?.delivery(o.kind, o.ok, o.reason, o.latencyMs / 1000);
          dones[i]!();
        }
        return;
      } catch (err) {
        this.deps.logger.warn(
          { err, attempt, size: outcomes.length },
          'settling a batch of outcomes failed, retrying',
        );
        await sleep(Math.min(5_000, 100 * 2 ** attempt));
        if (this.stopped && attempt > 20) throw err;
      }
    }
  }

  private async write(outcomes: Outcome[], batchId: string): Promise<void> {
    const events = outcomes.map((o) => outcomeEvent(o));
    await this.deps.publisher.send(events.map(routeOf));
    // One record per alert and kind of this batch, under the batch's id (a retry of this write
    // meets its own records as duplicates).
    for (const kind of ['alert', 'cancellation'] as const) {
      const byAlert = new Map<string, DeliveryEntry[]>();
      for (const o of outcomes) {
        if (o.kind !== kind) continue;
        let entries = byAlert.get(o.alertId);
        if (!entries) {
          entries = [];
          byAlert.set(o.alertId, entries);
        }
        const entry: DeliveryEntry = {
          unitId: o.unitId,
          step: o.step,
          status: o.ok ? 'delivered' : 'failed',
          attempts: o.attempts,
          at: new Date(o.at),
          latencyMs: Math.round(o.latencyMs),
        };
        if (o.reason) entry.reason = o.reason;
        entries.push(entry);
      }
      const docs: DeliveryBatchDoc[] = [...byAlert].map(([alertId, deliveries]) => ({
        _id: `${alertId}/${batchId}`,
        alertId,
        deliveries,
      }));
      await this.deps.store.recordDeliveries(kind, docs);
    }
    await this.deps.ledger.settle(
      outcomes.map((o) => ({
        alertId: o.alertId,
        kind: o.kind,
        unitId: o.unitId,
        status: o.ok ? 'delivered' : 'failed',
        step: o.step,
        attempts: o.attempts,
        at: o.at,
      })),
    );
  }

  /** Flushes what is collected and waits for every batch in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.flushNow();
    await this.flushing;
  }
}

/**
 * Whether a collected batch waits rather than settles now: never past `maxDeferMs` after its first
 * outcome; before that, while a fan-out is under way (`busy`: webhooks queued, claims on their
 * way) or outcomes are still coming (the latest within half a flush interval: the last few hundred
 * requests of a fan-out are in flight, nothing queued, and their answers arrive every fraction of
 * a millisecond). So a fan-out's settling (about as much CPU again as its deliveries, with the
 * broker's and the database's) follows its last webhook instead of running beside it. A unit that
 * hangs sends no outcome: the others' answers stop, the gap comes, and they settle without it.
 */
export function holdsBack(s: {
  busy: boolean;
  sinceOldestMs: number;
  sinceLatestMs: number;
  flushMs: number;
  maxDeferMs: number;
}): boolean {
  if (s.sinceOldestMs >= s.maxDeferMs) return false;
  return s.busy || s.sinceLatestMs < s.flushMs / 2;
}

/** The outcome as an event; its id is stable, so a republished outcome is a duplicate by id. */
export function outcomeEvent(o: Outcome): HomewardEvent {
  const at = new Date(o.at);
  const id = `${o.alertId}.${o.kind}.${o.step}.${o.unitId}.${o.ok ? 'delivered' : 'failed'}`;
  const opts = {
    source: SOURCE,
    subject: o.alertId,
    id,
    time: at,
    ...(o.traceparent ? { traceparent: o.traceparent } : {}),
  };
  if (o.ok) {
    return createEvent(
      'homeward.notification.delivered',
      {
        alertId: o.alertId,
        unitId: o.unitId,
        step: o.step,
        kind: o.kind,
        deliveredAt: at.toISOString(),
        attempts: o.attempts,
        latencyMs: Math.round(o.latencyMs),
        ...o.place,
      },
      opts,
    );
  }
  return createEvent(
    'homeward.notification.failed',
    {
      alertId: o.alertId,
      unitId: o.unitId,
      step: o.step,
      kind: o.kind,
      failedAt: at.toISOString(),
      attempts: o.attempts,
      reason: (o.reason ?? 'failed').slice(0, 200),
      ...o.place,
    },
    opts,
  );
}

import { setTimeout as sleep } from 'node:timers/promises';
import { type CloudEvent, encodeHttpStructured } from '@homeward/events';
import type { Clock, Logger } from '@homeward/service-kit';
import type { FanoutMetrics } from './delivery/fanout-metrics.ts';
import type { Outcome, OutcomeBatcher } from './delivery/outcome-batcher.ts';
import type { DeliveryResult, WebhookSender } from './delivery/webhook-sender.ts';
import type { AlertPlace } from './domain/alert-place.ts';
import type { DeliveryKind } from './domain/claims.ts';
import { webhookId } from './domain/unit-alert.ts';
import type { ClaimLedger } from './store/claim-ledger.ts';
import type { DeliveryStore } from './store/delivery-store.ts';
import type { UnitFeed } from './store/unit-feed.ts';
import { parseTarget, type UnitIndex, type UnitTarget } from './store/unit-index.ts';

/**
 * Units claimed per script call. The first chunk is small and claimed alone, so the first
 * webhooks leave as early as possible; then every other chunk's claim is sent at once (Redis
 * runs them one after another, each short, so none holds Redis for more than a few
 * milliseconds) and a chunk's webhooks go as soon as its claim answers: no round trip per chunk
 * in the way of the sends.
 */
const FIRST_CHUNK = 100;
const CLAIM_CHUNK = 500;
/** A claimed unit removed since the radius search: nothing to send it. */
const UNIT_REMOVED: DeliveryResult = { ok: false, attempts: 1, latencyMs: 0, reason: 'unit-removed' };
/** How often units another instance holds under a live lease are looked at again. */
const WAIT_POLL_MS = 200;

export interface FanoutServiceDeps {
  index: UnitIndex;
  ledger: ClaimLedger;
  store: DeliveryStore;
  feed: UnitFeed;
  sender: WebhookSender;
  batcher: OutcomeBatcher;
  clock: Clock;
  logger: Logger;
  /** This instance's id, written into its claims. */
  owner: string;
  leaseMs: number;
  /** Fan-out times for operations (the batcher counts each outcome); none in unit tests. */
  metrics?: FanoutMetrics;
  /**
   * Deliveries of one fan-out handed to the sender at once (default 512; the app gives twice the
   * sender's concurrency, so its slots never wait for this side). The rest wait here as plain
   * entries, not as thousands of pending deliveries with their promises (measured: 5-20% less
   * CPU per webhook than handing all 10,000 over at once, most of it the collector's).
   */
  window?: number;
}

/**
 * The units of a fan-out found by a search in two parts: `first`, a few units surely inside, found
 * at once; `rest()`, asked for once their claim is on its way, every unit inside (the first ones
 * among them).
 */
export interface FirstThenRest {
  first: string[];
  rest: () => Promise<string[]>;
}

/**
 * One claim chunk: its claimed units and their raw targets, which wait in the fan-out's window
 * as they came from Redis (no object per unit; a target is parsed as its webhook goes), and its
 * live-channel append: its units are settled only once it is done; results that come before
 * wait in `early`.
 */
interface Chunk {
  ids: string[];
  targets: string[];
  appended: 'pending' | 'done' | 'failed';
  error?: unknown;
  early: Array<[string, DeliveryResult]>;
}

/**
 * Sends one event to a set of units, once per (alert, kind, step, unit) across redeliveries,
 * restarts and instances: claim (Redis, atomic), append to the unit's live channel, deliver,
 * then settle in batches (see `OutcomeBatcher`). Resolves when every claimed unit's outcome is
 * settled, so the consumer commits the event only after that; a crash before then means the
 * event comes again and the claims left pending are taken over when their lease runs out.
 */
export class FanoutService {
  private claimsInFlight = 0;
  /** Claimed units waiting in a fan-out's window, over every fan-out under way. */
  private waitingInWindow = 0;

  constructor(private readonly deps: FanoutServiceDeps) {}

  /**
   * Whether claims are on their way or claimed units wait in a window (their webhooks about to be
   * queued): with the sender's own queue, what tells the outcome batcher a fan-out is under way,
   * so settling waits for it.
   */
  get claiming(): boolean {
    return this.claimsInFlight > 0 || this.waitingInWindow > 0;
  }

  /**
   * Makes sure the Redis ledger of an alert exists; if Redis lost it after deliveries began,
   * it is rebuilt from the durable records in MongoDB before anything is claimed.
   */
  async ensureLedger(alertId: string, kind: DeliveryKind): Promise<void> {
    const { ledger, store } = this.deps;
    if (await ledger.isInitialised(alertId, kind)) return;
    const alert = await store.findAlert(alertId);
    if (alert?.started?.[kind]) {
      const settled = await store.settledOf(kind, alertId);
      const acks = kind === 'alert' ? await store.acksOf(alertId) : [];
      await ledger.initialise(
        alertId,
        kind,
        settled.map((d) => ({
          unitId: d.unitId,
          value: `${d.status === 'delivered' ? 'd' : 'f'}|${d.step}|${d.attempts}|${d.at.getTime()}`,
        })),
        acks.map((a) => ({ unitId: a.unitId, at: a.acknowledgedAt.getTime() })),
      );
      this.deps.logger.warn({ alertId, kind, restored: settled.length }, 'claim ledger rebuilt from MongoDB');
      return;
    }
    await store.markStarted(alertId, kind);
    await ledger.initialise(alertId, kind);
  }

  async deliver(
    alertId: string,
    kind: DeliveryKind,
    step: number,
    units: string[] | FirstThenRest,
    event: CloudEvent,
    traceparent: string | undefined,
    /**
     * `newAlert`: the caller has just created the alert's document, with `started` set for this
     * kind, so nothing can have been claimed before and its ledger is simply initialised.
     * `place`: the alert's case and region, carried by every outcome event.
     */
    opts: { newAlert?: boolean; place?: AlertPlace } = {},
  ): Promise<{ claimed: number }> {
    const { ledger, index, feed, sender, batcher, clock, owner, leaseMs, metrics } = this.deps;
    const place = opts.place;
    const started = performance.now();
    // A new alert's ledger is marked initialised in the same round trip as the first claim (one
    // connection: Redis runs the mark first); nothing is sent before both have answered.
    const initialised = opts.newAlert ? ledger.initialise(alertId, kind) : this.ensureLedger(alertId, kind);
    if (!opts.newAlert) await initialised;
    const encoded = encodeHttpStructured(event);
    const contentType = encoded.headers['content-type']!;
    // Encoded once: every request and signature reads these bytes (no per-delivery copy).
    const body = Buffer.from(encoded.body, 'utf8');
    let claimedCount = 0;
    // Claimed units not settled yet, and the first error on their way (an append or a delivery
    // that threw): counted, not a promise chain per unit, so 10,000 units cost 10,000 callbacks.
    let unsettled = 0;
    let claimsDone = false;
    let failure: unknown;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const settledOne = (): void => {
      if (--unsettled === 0 && claimsDone) finish();
    };
    const settle = (unitId: string, r: DeliveryResult): void => {
      // Every field written in one literal, the optional ones too (undefined where absent): one
      // shape and its fields inside the object. Added afterwards, they made a second store per
      // outcome, and a fan-out's outcomes live until its settling (measured on 10,000 units:
      // 2.6 MB of them alive at the last webhook).
      const outcome: Outcome = {
        alertId,
        unitId,
        kind,
        step,
        ok: r.ok,
        attempts: r.attempts,
        latencyMs: r.latencyMs,
        at: clock.now().getTime(),
        reason: r.reason,
        traceparent,
        place,
      };
      batcher.push(outcome, settledOne);
    };

    const fail = (err: unknown): void => {
      failure ??= err;
      settledOne();
    };
    const onResult = (chunk: Chunk, unitId: string, r: DeliveryResult): void => {
      if (chunk.appended === 'done') settle(unitId, r);
      else if (chunk.appended === 'pending') chunk.early.push([unitId, r]);
      else fail(chunk.error);
    };
    // The window: claimed units wait in their chunks in `queue` (the next is `queue[head]`'s unit
    // at `pos`) and at most `window` are with the sender. A delivery's callback may come before
    // `send` returns (a refused target): `pumping` keeps that from starting a pump inside the
    // pump, whose loop takes the next units anyway.
    const window = this.deps.window ?? 512;
    const queue: Array<Chunk | undefined> = [];
    let head = 0;
    let pos = 0;
    let sending = 0;
    let pumping = false;
    const pump = (): void => {
      if (pumping) return;
      pumping = true;
      try {
        while (sending < window && head < queue.length) {
          const chunk = queue[head]!;
          const unitId = chunk.ids[pos]!;
          const raw = chunk.targets[pos]!;
          if (++pos === chunk.ids.length) {
            queue[head++] = undefined;
            pos = 0;
          }
          this.waitingInWindow--;
          let target: UnitTarget | undefined;
          try {
            target = parseTarget(raw);
          } catch (err) {
            fail(err);
            continue;
          }
          if (!target) {
            onResult(chunk, unitId, UNIT_REMOVED);
            continue;
          }
          sending++;
          sender.send(unitId, target, webhookId(event.id, unitId), body, contentType, alertId, (err, r) => {
            sending--;
            if (r) onResult(chunk, unitId, r);
            else fail(err);
            pump();
          });
        }
      } finally {
        pumping = false;
      }
    };

    /**
     * Claims `ids`, then appends to their live channels and hands them to the window; with
     * `later`, those two steps are put there for the caller to run instead.
     */
    const claimAndSend = async (ids: string[], later?: Array<() => void>): Promise<string[]> => {
      // One round trip: the claims and each claimed unit's target.
      this.claimsInFlight++;
      let answer: Awaited<ReturnType<ClaimLedger['claim']>>;
      try {
        // Redis lost the index since the search: rebuilt, then claimed (nothing was claimed).
        answer = await index.orRebuilt(() => ledger.claim(alertId, kind, step, owner, leaseMs, ids, index));
      } finally {
        this.claimsInFlight--;
      }
      const { claimed, waiting, targets } = answer;
      if (claimed.length === 0) return waiting;
      claimedCount += claimed.length;
      unsettled += claimed.length;
      // The live channels are appended to while the webhooks go (a webhook needs nothing from
      // them), and a unit is settled only once both are done: an append that fails leaves its
      // claims pending, so the event comes again and they are taken over, as before.
      const chunk: Chunk = { ids: claimed, targets, appended: 'pending', early: [] };
      queue.push(chunk);
      this.waitingInWindow += claimed.length;
      const go = (): void => {
        feed.append(claimed, event.type, encoded.body).then(
          () => {
            chunk.appended = 'done';
            for (const [unitId, r] of chunk.early) settle(unitId, r);
            chunk.early = [];
          },
          (err: unknown) => {
            chunk.appended = 'failed';
            chunk.error = err;
            for (let i = 0; i < chunk.early.length; i++) fail(err);
            chunk.early = [];
          },
        );
        pump();
      };
      if (later) later.push(go);
      else go();
      return waiting;
    };

    // The first chunk alone (Redis answers a pipeline's commands after running those it read
    // together, so the first webhooks would wait for every claim), then every other chunk's
    // claim at once, each chunk's webhooks starting as its answer comes. With a list known
    // beforehand, the other claims are sent before the first chunk's live-channel append and
    // webhooks: the sender has only the first chunk until the next claim answers, and that answer
    // no longer waits behind the append in Redis nor behind the first webhooks' sending here
    // (traced, load 4-5: the next claim answered 39-62 ms after it was sent instead of 45-74, and
    // 500-1,073 deliveries arrived within 200 ms of the first instead of 525-723). With a search,
    // the first chunk is what its quick part found: its claim goes before the whole search is
    // asked for once that claim has answered (Redis writes its answers after running every
    // command it read together: sent beside the claim, the search held up the claim's answer by
    // 10-20 ms), and its webhooks go while that search answers.
    const later: Array<() => void> = [];
    const searched = !Array.isArray(units);
    const firstIds = searched ? units.first : units.slice(0, FIRST_CHUNK);
    const [, first] = await Promise.all([initialised, claimAndSend(firstIds, later)]);
    const rest = searched ? units.rest() : units.slice(FIRST_CHUNK);
    if (searched) for (const go of later) go();
    let restIds = await rest;
    if (searched && firstIds.length > 0) {
      // The whole search answers the first chunk's units too: claimed again, they would wait for
      // their own lease (pending for this step) and be looked at again until settled.
      const taken = new Set(firstIds);
      restIds = restIds.filter((id) => !taken.has(id));
    }
    const chunks: Promise<string[]>[] = [];
    for (let i = 0; i < restIds.length; i += CLAIM_CHUNK)
      chunks.push(claimAndSend(restIds.slice(i, i + CLAIM_CHUNK)));
    if (!searched) for (const go of later) go();
    let waiting = [...first, ...(await Promise.all(chunks)).flat()];
    // Units another instance is delivering right now: settled by it, or taken over after its
    // lease runs out (it died). Either way none is missed and none is sent twice.
    while (waiting.length > 0) {
      await sleep(WAIT_POLL_MS);
      waiting = await claimAndSend(waiting);
    }
    claimsDone = true;
    if (unsettled > 0) await finished;
    if (failure !== undefined) throw failure;
    if (claimedCount > 0) metrics?.fanout(kind, claimedCount, (performance.now() - started) / 1000);
    return { claimed: claimedCount };
  }
}

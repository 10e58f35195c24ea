import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import { fullJitterMs } from '../domain/backoff.ts';
import { CircuitBreakers } from '../domain/circuit-breaker.ts';
import { signingKey, webhookHeaderList } from '../domain/webhook-signature.ts';
import { addressAllowed, hostOf, type TargetPolicy } from '../domain/webhook-target.ts';
import type { UnitTarget } from '../store/unit-index.ts';
import { FairSlots, KeyedSlots } from './fair-slots.ts';

export interface SenderOptions {
  concurrency: number;
  connectionsPerOrigin: number;
  timeoutMs: number;
  attempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
  /** Where webhooks may go: checked again on every connection, not only at registration. */
  targets: TargetPolicy;
  /**
   * Requests in flight to one unit at once (default 4): a hanging unit holds at most this many
   * of the global slots, however many alerts it is sent at once.
   */
  perUnitInFlight?: number;
  /**
   * One delivery's whole time (default: its attempts' deadlines and backoffs): no attempt starts, and
   * no wait for an open circuit's probe lasts, past it.
   */
  deliveryBudgetMs?: number;
}

/**
 * Why a delivery failed, as events and the delivery record say it: a generic code, never an
 * address, a host name or a message from the target (those would reach every consumer of
 * `notification.events.v1`).
 */
export type FailureCode =
  | 'http-3xx'
  | 'http-4xx'
  | 'http-5xx'
  | 'timeout'
  | 'connection-refused'
  | 'connection-failed'
  | 'circuit-open'
  | 'target-refused';

/** The code a lookup failure carries when the host resolves to an address the policy refuses. */
const TARGET_REFUSED = 'HOMEWARD_WEBHOOK_TARGET_REFUSED';

/**
 * A `lookup` for the connection (net/tls `connect`) that resolves the host, refuses it if any
 * of its addresses is one the policy refuses, and hands the connection exactly the addresses it
 * checked: nothing resolves the name again between the check and the connect (no DNS
 * rebinding window).
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(
      hostname,
      { all: true, family: options.family ?? 0, hints: options.hints ?? 0 },
      (err, found) => {
        if (err) return callback(err, '', 0);
        const addresses = found as LookupAddress[];
        if (addresses.length === 0 || addresses.some((a) => !addressAllowed(a.address, policy))) {
          const refused = Object.assign(new Error('the webhook target is refused'), { code: TARGET_REFUSED });
          return callback(refused as NodeJS.ErrnoException, '', 0);
        }
        if (options.all)
          return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        const first = addresses[0]!;
        return callback(null, first.address, first.family);
      },
    );
  };
}

/** A webhook URL as a request needs it, and whether the target rules allow it before any lookup. */
interface PreparedUrl {
  origin: string;
  path: string;
  allowed: boolean;
}

/**
 * Prepared URLs and signing keys are kept for this many targets: one alert's fan-out reuses each
 * unit's across steps, cancellation and the next alerts, instead of parsing the URL, checking an
 * address literal and decoding the key per delivery (measured: about 5% of the fan-out's CPU).
 * Past the bound the cache starts again (a registry larger than this only costs the parsing).
 */
const PREPARED_MAX = 100_000;

/**
 * A URL's origin part (scheme and authority) and its path and query, split without parsing the
 * whole URL, when the split is surely the one `new URL` makes and the path and query are ones it
 * leaves as they are: no `?`, `#` or `\\` before the path (they would end the authority), only
 * characters no part of the URL standard encodes, removes or reads (no `%`, `'`, space, dot
 * segment), no empty query. Otherwise undefined, and the whole URL is parsed.
 */
export function splitUrl(raw: string): { prefix: string; path: string } | undefined {
  const scheme = raw.indexOf('://');
  if (scheme < 0 || !SCHEME.test(raw.slice(0, scheme))) return undefined;
  const slash = raw.indexOf('/', scheme + 3);
  if (slash < 0) return undefined;
  const prefix = raw.slice(0, slash);
  const path = raw.slice(slash);
  if (!SAFE_PATH.test(path) || DOT_SEGMENT.test(path) || /[?#\\]/.test(prefix)) return undefined;
  return { prefix, path };
}

/** A scheme as the URL standard writes it (no space before it, no slash in it). */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
/** A path and query that `new URL` keeps byte for byte (a query that is not empty). */
const SAFE_PATH = /^\/[A-Za-z0-9\-._~!$&()*+,;=:@/]*(\?[A-Za-z0-9\-._~!$&()*+,;=:@/?]+)?$/;
/** A `.` or `..` segment of the path (before any query), which `new URL` resolves. */
const DOT_SEGMENT = /^[^?]*\/\.\.?(\/|\?|$)/;

/** A unit's circuit is half-open and its probe is out: look again this often. */
const PROBE_POLL_MS = 100;

/**
 * How one delivery ended. `attempts` counts the requests sent; a delivery the open circuit
 * refused all along (no request) reports 1.
 */
export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  latencyMs: number;
  reason?: string;
}

/**
 * Told once how a delivery ended: its result, or the error that stopped it (a fault here, not the
 * unit's: a unit's failures are results). It may be called before `send` returns.
 */
export type DeliveryCallback = (err: unknown, result: DeliveryResult | undefined) => void;

/**
 * Sends signed webhooks: keep-alive pooled connections (undici Agent, a pool per origin), a
 * global bound on requests in flight and one per unit, a deadline per attempt that grows with
 * each retry (attempt n waits n × the timeout for the answer, so a unit that answers slowly is
 * confirmed by a retry rather than reported failed), retries with exponential backoff and full
 * jitter, and a circuit breaker per unit. A slot is held only while a request is on the wire,
 * never during a backoff, so a slow or dead unit costs the others nothing but its own few slots.
 *
 * An open circuit is not an attempt: a delivery it refuses waits for the circuit's probe (if
 * that comes within the delivery's budget) instead of using up its attempts, so a unit that was
 * slow for a moment is not reported failed, unsent, for everything sent to it meanwhile.
 *
 * A delivery's first attempt, when its unit's slot is free and its circuit closed (nearly always),
 * runs on callbacks from undici's handler to the slots' release and the caller's callback: no
 * promise, microtask or async frame per webhook (a fan-out is tens of thousands of them). Retries,
 * backoffs and waits for a unit's slot or an open circuit take the general path, an async loop.
 */
export class WebhookSender {
  private readonly agent: Agent;
  private readonly breakers: CircuitBreakers;
  /**
   * Requests in flight, bounded overall and shared round-robin by lane (an alert), so in a burst
   * every alert's first webhooks go out early instead of after every earlier alert's last ones.
   */
  private readonly slots: FairSlots;
  private readonly urls = new Map<string, PreparedUrl>();
  /** Prepared origins (`splitUrl`'s prefix), their path `/`. */
  private readonly origins = new Map<string, PreparedUrl>();
  private readonly keys = new Map<string, Buffer>();
  private readonly hosts = new Map<string, boolean>();
  /** Requests in flight to one unit, bounded per unit (the same slots, keyed by unit). */
  private readonly units: KeyedSlots;
  private readonly budgetMs: number;
  /** The `webhook-timestamp` of the current second, written once per second, not per request. */
  private second = -1;
  private secondText = '';

  constructor(private readonly opts: SenderOptions) {
    this.agent = new Agent({
      connections: opts.connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connect: { timeout: opts.timeoutMs, lookup: guardedLookup(opts.targets) },
    });
    this.breakers = new CircuitBreakers({
      threshold: opts.breakerThreshold,
      cooldownMs: opts.breakerCooldownMs,
    });
    this.slots = new FairSlots(opts.concurrency);
    this.units = new KeyedSlots(opts.perUnitInFlight ?? 4, 'per-key');
    this.budgetMs =
      opts.deliveryBudgetMs ??
      opts.timeoutMs * ((opts.attempts * (opts.attempts + 1)) / 2) + opts.backoffMaxMs * opts.attempts;
  }

  /** Whether requests are waiting for a slot (a burst is on). */
  get busy(): boolean {
    return this.slots.queued > 0;
  }

  /**
   * Delivers one body to one unit, retrying until it succeeds or the attempts run out. `lane`
   * (the alert) shares the slots fairly with other lanes while requests queue.
   */
  deliver(
    unitId: string,
    target: UnitTarget,
    id: string,
    body: string | Buffer,
    contentType: string,
    lane = '',
  ): Promise<DeliveryResult> {
    return new Promise((resolve, reject) =>
      this.send(unitId, target, id, body, contentType, lane, (err, r) => (r ? resolve(r) : reject(err))),
    );
  }

  /** {@link deliver} told to a callback: what a fan-out of thousands uses. */
  send(
    unitId: string,
    target: UnitTarget,
    id: string,
    body: string | Buffer,
    contentType: string,
    lane: string,
    done: DeliveryCallback,
  ): void {
    const started = performance.now();
    let d: Delivery;
    try {
      const url = this.prepare(target.url);
      if (!url.allowed) {
        done(undefined, resultOf(started, false, 1, 'target-refused'));
        return;
      }
      d = new Delivery(this.answered, unitId, url, this.keyOf(target.secret), id, body, contentType, lane);
    } catch (err) {
      done(err, undefined);
      return;
    }
    d.started = started;
    d.deadline = started + this.budgetMs;
    d.done = done;
    if (this.units.tryAcquire(unitId)) {
      // The first attempt's deadline is the timeout itself (the budget is always longer).
      if (this.breakers.tryAcquire(unitId, Date.now())) {
        d.attempts = 1;
        this.attempt(d, this.opts.timeoutMs);
        return;
      }
      // Refused by the circuit (which changed nothing): the general path asks it again.
      this.units.release(unitId);
    }
    this.general(d, undefined);
  }

  /**
   * The general path: every attempt after `after` (the outcome of one just made, if any), with
   * backoffs, waits for the unit's slot and for an open circuit's probe, until the delivery
   * succeeds, its attempts or its budget run out, or its target is refused.
   */
  private general(d: Delivery, after: FailureCode | undefined): void {
    this.retry(d, after).then(
      (r) => d.done(undefined, r),
      (err: unknown) => d.done(err, undefined),
    );
  }

  private async retry(d: Delivery, after: FailureCode | undefined): Promise<DeliveryResult> {
    const opts = this.opts;
    const unitId = d.unitId;
    let outcome = after;
    for (;;) {
      if (outcome !== undefined) {
        d.reason = outcome;
        // A refused target stays refused: no retry would reach it.
        if (outcome === 'target-refused') return resultOf(d.started, false, d.attempts, outcome);
        if (outcome === 'circuit-open') {
          // Not an attempt: wait for the probe if it comes within the budget, else give up now.
          const now = Date.now();
          const waitMs = (this.breakers.probeAt(unitId, now) ?? now) - now + Math.random() * PROBE_POLL_MS;
          if (performance.now() + waitMs + opts.timeoutMs > d.deadline) break;
          await sleep(waitMs);
        } else if (d.attempts < opts.attempts) {
          await sleep(fullJitterMs(d.attempts, opts.backoffBaseMs, opts.backoffMaxMs));
        }
      }
      if (d.attempts >= opts.attempts) break;
      // No new attempt that could not get its deadline within the budget (the first always goes).
      if (d.attempts > 0 && performance.now() + opts.timeoutMs > d.deadline) break;
      if (!this.units.tryAcquire(unitId)) await this.units.acquire(unitId);
      try {
        if (!this.breakers.tryAcquire(unitId, Date.now())) {
          outcome = 'circuit-open';
        } else {
          d.attempts++;
          const timeoutMs = Math.min(
            opts.timeoutMs * d.attempts,
            Math.max(opts.timeoutMs, d.deadline - performance.now()),
          );
          outcome = await new Promise<FailureCode | undefined>((resolve) => {
            d.waiter = resolve;
            this.attempt(d, timeoutMs);
          });
          if (outcome === undefined) this.breakers.success(unitId);
          else this.breakers.failure(unitId, Date.now());
        }
      } finally {
        this.units.release(unitId);
      }
      if (outcome === undefined) return resultOf(d.started, true, d.attempts);
    }
    return resultOf(d.started, false, d.attempts, d.reason);
  }

  /** One attempt of `d`, holding the unit's slot: sent once a global slot is free. */
  private attempt(d: Delivery, timeoutMs: number): void {
    d.timeoutMs = timeoutMs;
    if (this.slots.tryAcquire(d.lane)) this.dispatch(d);
    else this.slots.enqueue(d.lane, () => this.dispatch(d));
  }

  /** Sends `d`'s request, holding a global slot; undici's callbacks go to {@link answered}. */
  private dispatch(d: Delivery): void {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.second = second;
      this.secondText = String(second);
    }
    d.status = 0;
    d.pending = true;
    try {
      // `dispatch` with the delivery as its handler, keeping only the status: no response object,
      // body stream or parsed headers per request, as `request` makes (measured: about a fifth of
      // undici's CPU per webhook). The body is read and dropped, so the connection goes back to
      // the pool. The headers as a flat array (see `webhookHeaderList`).
      this.agent.dispatch(
        {
          origin: d.url.origin,
          path: d.url.path,
          method: 'POST',
          headers: [
            'content-type',
            d.contentType,
            ...webhookHeaderList(d.key, d.id, second, d.body, this.secondText),
          ],
          body: d.body,
          // undici's own (coarse, shared) timers bound the attempt: no timer of ours per request.
          headersTimeout: d.timeoutMs,
          bodyTimeout: d.timeoutMs,
        },
        d,
      );
    } catch (err) {
      d.onResponseError(undefined, err as Error);
    }
  }

  /**
   * Notes an attempt's answer, taken up once undici's callback has returned (with the answers of
   * the same turn, in one microtask): until then the connection that answered still counts as
   * busy, so a request handed its slot from inside the callback found no free connection and
   * waited in the pool's queue for the connection's next event-loop turn (measured: the fan-out's
   * deliveries slowed without costing more CPU).
   */
  private readonly answered = (d: Delivery, outcome: FailureCode | undefined): void => {
    d.outcome = outcome;
    this.answers.push(d);
    if (this.answers.length === 1) queueMicrotask(this.takeAnswers);
  };

  private answers: Delivery[] = [];

  private readonly takeAnswers = (): void => {
    // Answers noted while these are taken up (a next request failing at once) go in the next.
    const answers = this.answers;
    this.answers = [];
    for (const d of answers) this.answer(d, d.outcome);
  };

  /**
   * An attempt's answer (its outcome: undefined on a 2xx): frees its global slot (handing it to
   * the next waiting request), then either wakes the general path that waits for it, or ends a
   * first attempt: its circuit and unit slot are settled here and a success is told at once; a
   * failure goes on to the general path's backoff and retries.
   */
  private answer(d: Delivery, outcome: FailureCode | undefined): void {
    this.slots.release();
    const waiter = d.waiter;
    if (waiter) {
      d.waiter = undefined;
      waiter(outcome);
      return;
    }
    if (outcome === undefined) this.breakers.success(d.unitId);
    else this.breakers.failure(d.unitId, Date.now());
    this.units.release(d.unitId);
    if (outcome === undefined) d.done(undefined, resultOf(d.started, true, 1));
    else this.general(d, outcome);
  }

  /**
   * The URL's request parts and whether it may be sent to: a target registered before the rules
   * (or an address literal, which connect never looks up) is checked here; a host name is
   * checked by the connection's own lookup on every connection.
   */
  private prepare(raw: string): PreparedUrl {
    // Units mostly share their receivers' origins: parsed once per origin, not once per unit (a
    // 10,000-unit alert is mostly units not seen before: `new URL` cost 2-7 µs each, a split
    // under 1), and nothing kept per unit.
    const split = splitUrl(raw);
    if (split) {
      let origin = this.origins.get(split.prefix);
      if (!origin) {
        origin = this.parse(`${split.prefix}/`);
        if (this.origins.size >= PREPARED_MAX) this.origins.clear();
        this.origins.set(split.prefix, origin);
      }
      return { origin: origin.origin, path: split.path, allowed: origin.allowed };
    }
    let p = this.urls.get(raw);
    if (p) return p;
    p = this.parse(raw);
    if (this.urls.size >= PREPARED_MAX) this.urls.clear();
    this.urls.set(raw, p);
    return p;
  }

  private parse(raw: string): PreparedUrl {
    const url = new URL(raw);
    const allowed = this.schemeAllowed(url) && this.hostAllowed(hostOf(url));
    return { origin: url.origin, path: `${url.pathname}${url.search}`, allowed };
  }

  /**
   * Whether an address literal is allowed (a host name: yes here, its lookup decides), once per
   * host: many units share a host, and the address check is most of a URL's preparation.
   */
  private hostAllowed(host: string): boolean {
    let allowed = this.hosts.get(host);
    if (allowed !== undefined) return allowed;
    allowed = isIP(host) === 0 || addressAllowed(host, this.opts.targets);
    if (this.hosts.size >= PREPARED_MAX) this.hosts.clear();
    this.hosts.set(host, allowed);
    return allowed;
  }

  private keyOf(secret: string): Buffer {
    let k = this.keys.get(secret);
    if (k) return k;
    k = signingKey(secret);
    if (this.keys.size >= PREPARED_MAX) this.keys.clear();
    this.keys.set(secret, k);
    return k;
  }

  private schemeAllowed(url: URL): boolean {
    return url.protocol === 'https:' || (url.protocol === 'http:' && !this.opts.targets.requireHttps);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/**
 * How a delivery begun at `started` ended (a function, not a closure per delivery: under tsx each
 * named closure is also given its name, a property definition per delivery).
 */
function resultOf(started: number, ok: boolean, attempts: number, reason?: string): DeliveryResult {
  const r: DeliveryResult = { ok, attempts: Math.max(1, attempts), latencyMs: performance.now() - started };
  if (reason) r.reason = reason;
  return r;
}

/**
 * One delivery under way, and the undici handler of its current attempt (one object per delivery,
 * whatever its attempts): the status decides the outcome, the body is dropped as it comes, a
 * transport error (refused, reset, timed out) is its generic code. Either is told to the sender
 * once per attempt.
 */
class Delivery implements Dispatcher.DispatchHandler {
  started = 0;
  deadline = 0;
  attempts = 0;
  reason: FailureCode = 'connection-failed';
  timeoutMs = 0;
  status = 0;
  /** The current attempt's outcome, from its answer to its taking up. */
  outcome: FailureCode | undefined = undefined;
  /** An attempt is on the wire and not answered yet (undici answers each once; this makes sure). */
  pending = false;
  /** The general path, waiting for the current attempt's outcome. */
  waiter: ((outcome: FailureCode | undefined) => void) | undefined = undefined;
  done: DeliveryCallback = noop;

  constructor(
    private readonly answered: (d: Delivery, outcome: FailureCode | undefined) => void,
    readonly unitId: string,
    readonly url: PreparedUrl,
    readonly key: Buffer,
    readonly id: string,
    readonly body: string | Buffer,
    readonly contentType: string,
    readonly lane: string,
  ) {}

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(): void {}

  onResponseEnd(): void {
    if (!this.pending) return;
    this.pending = false;
    this.answered(this, statusFailure(this.status));
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    if (!this.pending) return;
    this.pending = false;
    this.answered(this, failureCode(err));
  }
}

function noop(): void {}

/** Undefined for a 2xx, else the code of the status class. */
export function statusFailure(statusCode: number): FailureCode | undefined {
  if (statusCode >= 200 && statusCode < 300) return undefined;
  if (statusCode < 400) return 'http-3xx';
  return statusCode < 500 ? 'http-4xx' : 'http-5xx';
}

/** The generic code of a failed request (the error's own words stay out of events). */
export function failureCode(err: unknown): FailureCode {
  const e = err as { code?: string; cause?: { code?: string } };
  const code = e.code === 'UND_ERR_SOCKET' || e.code === undefined ? (e.cause?.code ?? e.code) : e.code;
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNREFUSED':
      return 'connection-refused';
    case TARGET_REFUSED:
      return 'target-refused';
    default:
      return 'connection-failed';
  }
}

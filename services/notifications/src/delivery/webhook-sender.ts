import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import { fullJitterMs } from '../domain/backoff.ts';
import { CircuitBreakers } from '../domain/circuit-breaker.ts';
import { signingKey, webhookHeaders } from '../domain/webhook-signature.ts';
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
  private readonly keys = new Map<string, Buffer>();
  private readonly hosts = new Map<string, boolean>();
  /** Requests in flight to one unit, bounded per unit (the same slots, keyed by unit). */
  private readonly units: KeyedSlots;
  private readonly budgetMs: number;

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
  async deliver(
    unitId: string,
    target: UnitTarget,
    id: string,
    body: string | Buffer,
    contentType: string,
    lane = '',
  ): Promise<DeliveryResult> {
    const started = performance.now();
    const key = this.keyOf(target.secret);
    const url = this.prepare(target.url);
    if (!url.allowed)
      return { ok: false, attempts: 1, latencyMs: performance.now() - started, reason: 'target-refused' };
    const deadline = started + this.budgetMs;
    let reason: FailureCode = 'connection-failed';
    let attempts = 0;
    while (attempts < this.opts.attempts) {
      // No new attempt that could not get its deadline within the budget (the first always goes).
      if (attempts > 0 && performance.now() + this.opts.timeoutMs > deadline) break;
      // Taken at once when free (most of the time): no promise and no turn of the loop per request.
      if (!this.units.tryAcquire(unitId)) await this.units.acquire(unitId);
      let outcome: FailureCode | undefined;
      try {
        if (!this.breakers.tryAcquire(unitId, Date.now())) {
          outcome = 'circuit-open';
        } else {
          attempts++;
          const timeoutMs = Math.min(
            this.opts.timeoutMs * attempts,
            Math.max(this.opts.timeoutMs, deadline - performance.now()),
          );
          outcome = await this.attempt(url, key, id, body, contentType, timeoutMs, lane);
          if (outcome === undefined) this.breakers.success(unitId);
          else this.breakers.failure(unitId, Date.now());
        }
      } finally {
        this.units.release(unitId);
      }
      if (outcome === undefined) return resultOf(started, true, attempts);
      reason = outcome;
      // A refused target stays refused: no retry would reach it.
      if (outcome === 'target-refused') return resultOf(started, false, attempts, reason);
      if (outcome === 'circuit-open') {
        // Not an attempt: wait for the probe if it comes within the budget, else give up now.
        const now = Date.now();
        const waitMs = (this.breakers.probeAt(unitId, now) ?? now) - now + Math.random() * PROBE_POLL_MS;
        if (performance.now() + waitMs + this.opts.timeoutMs > deadline) break;
        await sleep(waitMs);
        continue;
      }
      if (attempts < this.opts.attempts)
        await sleep(fullJitterMs(attempts, this.opts.backoffBaseMs, this.opts.backoffMaxMs));
    }
    return resultOf(started, false, attempts, reason);
  }

  /**
   * The URL's request parts and whether it may be sent to: a target registered before the rules
   * (or an address literal, which connect never looks up) is checked here; a host name is
   * checked by the connection's own lookup on every connection.
   */
  private prepare(raw: string): PreparedUrl {
    let p = this.urls.get(raw);
    if (p) return p;
    const url = new URL(raw);
    const allowed = this.schemeAllowed(url) && this.hostAllowed(hostOf(url));
    p = { origin: url.origin, path: `${url.pathname}${url.search}`, allowed };
    if (this.urls.size >= PREPARED_MAX) this.urls.clear();
    this.urls.set(raw, p);
    return p;
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

  /** One attempt; undefined on a 2xx, else why it failed. */
  private async attempt(
    url: PreparedUrl,
    key: Buffer,
    id: string,
    body: string | Buffer,
    contentType: string,
    timeoutMs: number,
    lane: string,
  ): Promise<FailureCode | undefined> {
    if (!this.slots.tryAcquire(lane)) await this.slots.acquire(lane);
    try {
      return await new Promise<FailureCode | undefined>((resolve) => {
        // `dispatch` with a handler that keeps only the status: no response object, body stream or
        // parsed headers per request, as `request` makes (measured: about a fifth of undici's CPU
        // per webhook). The body is read and dropped, so the connection goes back to the pool.
        this.agent.dispatch(
          {
            origin: url.origin,
            path: url.path,
            method: 'POST',
            headers: {
              'content-type': contentType,
              ...webhookHeaders(key, id, Math.floor(Date.now() / 1000), body),
            },
            body,
            // undici's own (coarse, shared) timers bound the attempt: no timer of ours per request.
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          },
          new StatusHandler(resolve),
        );
      });
    } finally {
      this.slots.release();
    }
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
 * Receives one webhook's response: its status decides the outcome, its body is dropped as it
 * comes; a transport error (refused, reset, timed out) resolves with its generic code.
 */
class StatusHandler implements Dispatcher.DispatchHandler {
  private status = 0;

  constructor(private readonly done: (outcome: FailureCode | undefined) => void) {}

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(): void {}

  onResponseEnd(): void {
    this.done(statusFailure(this.status));
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.done(failureCode(err));
  }
}

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

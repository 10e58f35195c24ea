import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { fullJitterMs } from '../domain/backoff.ts';
import { CircuitBreakers } from '../domain/circuit-breaker.ts';
import { signingKey, webhookHeaders } from '../domain/webhook-signature.ts';
import type { UnitTarget } from '../store/unit-index.ts';

export interface SenderOptions {
  concurrency: number;
  connectionsPerOrigin: number;
  timeoutMs: number;
  attempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
}

/** How one delivery ended. `attempts` counts those the open circuit refused too. */
export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  latencyMs: number;
  reason?: string;
}

/**
 * Sends signed webhooks: keep-alive pooled connections (undici Agent, a pool per origin), a
 * global bound on requests in flight, a deadline per attempt, retries with exponential backoff
 * and full jitter, and a circuit breaker per unit. A slot is held only while a request is on the
 * wire, never during a backoff, so a slow or dead unit costs the others nothing but its one slot.
 */
export class WebhookSender {
  private readonly agent: Agent;
  private readonly breakers: CircuitBreakers;
  private inFlight = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly opts: SenderOptions) {
    this.agent = new Agent({
      connections: opts.connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connect: { timeout: opts.timeoutMs },
    });
    this.breakers = new CircuitBreakers({
      threshold: opts.breakerThreshold,
      cooldownMs: opts.breakerCooldownMs,
    });
  }

  /** Whether requests are waiting for a slot (a burst is on). */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  /** Delivers one body to one unit, retrying until it succeeds or the attempts run out. */
  async deliver(
    unitId: string,
    target: UnitTarget,
    id: string,
    body: string,
    contentType: string,
  ): Promise<DeliveryResult> {
    const started = performance.now();
    const key = signingKey(target.secret);
    const url = new URL(target.url);
    let reason = 'no attempt';
    for (let attempt = 1; attempt <= this.opts.attempts; attempt++) {
      if (!this.breakers.tryAcquire(unitId, Date.now())) {
        reason = 'circuit open';
      } else {
        const outcome = await this.attempt(url, key, id, body, contentType);
        if (outcome === undefined) {
          this.breakers.success(unitId);
          return { ok: true, attempts: attempt, latencyMs: performance.now() - started };
        }
        reason = outcome;
        this.breakers.failure(unitId, Date.now());
      }
      if (attempt < this.opts.attempts)
        await sleep(fullJitterMs(attempt, this.opts.backoffBaseMs, this.opts.backoffMaxMs));
    }
    return { ok: false, attempts: this.opts.attempts, latencyMs: performance.now() - started, reason };
  }

  /** One attempt; undefined on a 2xx, else why it failed. */
  private async attempt(
    url: URL,
    key: Buffer,
    id: string,
    body: string,
    contentType: string,
  ): Promise<string | undefined> {
    await this.acquire();
    try {
      const res = await this.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: {
          'content-type': contentType,
          ...webhookHeaders(key, id, Math.floor(Date.now() / 1000), body),
        },
        body,
        // The agent's headers and body timeouts bound the attempt without a timer per request.
      });
      await res.body.dump();
      return res.statusCode >= 200 && res.statusCode < 300 ? undefined : `HTTP ${res.statusCode}`;
    } catch (err) {
      const e = err as { name?: string; code?: string; message?: string };
      if (
        e.code === 'UND_ERR_HEADERS_TIMEOUT' ||
        e.code === 'UND_ERR_BODY_TIMEOUT' ||
        e.code === 'UND_ERR_CONNECT_TIMEOUT'
      )
        return `timed out after ${this.opts.timeoutMs} ms`;
      return (e.code ?? e.message ?? 'request failed').slice(0, 200);
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.opts.concurrency) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.inFlight--;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

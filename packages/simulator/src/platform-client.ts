import { setTimeout as sleep } from 'node:timers/promises';
import { type Credential, keyFor } from './credentials.ts';
import type { HttpCall, ServiceName } from './requests.ts';

/** A step the platform refused, or did not get ready for in time: its story stops there. */
export class StepFailed extends Error {}

/**
 * The simulator's HTTP client of the platform: each call with the key of the agency it acts as,
 * rate limits and overload waited out, and "not yet" answers tried again until `settleMs`.
 */
export class PlatformClient {
  constructor(
    private readonly credentials: readonly Credential[],
    private readonly urls: Record<ServiceName, string>,
    /** How long a step waits for the platform to catch up. */
    readonly settleMs: number,
  ) {}

  /** One call; 429 and 503 are waited out and sent again (every call is idempotent by design). */
  // biome-ignore lint/suspicious/noExplicitAny: answers of five services, read field by field
  async http(call: HttpCall): Promise<{ status: number; body: any }> {
    const key = keyFor(this.credentials, call.agency);
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${this.urls[call.service]}${call.path}`, {
          method: call.method,
          headers: {
            authorization: `Bearer ${key}`,
            ...(call.body !== undefined ? { 'content-type': call.contentType ?? 'application/json' } : {}),
          },
          ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        const body = text ? JSON.parse(text) : undefined;
        // Rate limits and overload: wait and send the same request again (idempotent by design).
        if ((res.status === 429 || res.status === 503) && attempt < 8) {
          await sleep(Math.min(5_000, 250 * 2 ** attempt));
          continue;
        }
        return { status: res.status, body };
      } catch (err) {
        if (attempt >= 5) throw err;
        await sleep(Math.min(5_000, 250 * 2 ** attempt));
      }
    }
  }

  /** Calls until the answer is one of `ok`; `wait` statuses mean "not yet", tried again. */
  async until(call: HttpCall, ok: number[], wait: number[] = [404, 409, 422]) {
    const deadline = Date.now() + this.settleMs;
    for (;;) {
      const res = await this.http(call);
      if (ok.includes(res.status)) return res;
      if (!wait.includes(res.status) || Date.now() > deadline)
        throw new StepFailed(`${call.method} ${call.path} answered ${res.status} ${res.body?.code ?? ''}`);
      await sleep(200);
    }
  }
}

/** The state of one unit's circuit. */
export type BreakerState = 'closed' | 'open' | 'half-open';

interface Entry {
  failures: number;
  openedAt?: number;
  probing: boolean;
}

/**
 * A circuit breaker per unit, in memory (each instance learns on its own; a dead unit costs each
 * instance `threshold` attempts before it is skipped). Open after `threshold` consecutive
 * failures; after `cooldownMs` one probe is let through (half-open): success closes the circuit,
 * failure opens it again. Time is passed in, so the rules are tested without waiting.
 */
export class CircuitBreakers {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: { threshold: number; cooldownMs: number }) {}

  state(unitId: string, now: number): BreakerState {
    const e = this.entries.get(unitId);
    if (!e || e.openedAt === undefined) return 'closed';
    return now - e.openedAt >= this.opts.cooldownMs ? 'half-open' : 'open';
  }

  /** Whether an attempt may go out now; a half-open circuit admits one probe at a time. */
  tryAcquire(unitId: string, now: number): boolean {
    // Every circuit closed (no unit failing): the common case, without a lookup per request.
    if (this.entries.size === 0) return true;
    const state = this.state(unitId, now);
    if (state === 'closed') return true;
    if (state === 'open') return false;
    const e = this.entries.get(unitId)!;
    if (e.probing) return false;
    e.probing = true;
    return true;
  }

  /**
   * When the open circuit of a unit lets its next probe through (its opening plus the
   * cooldown); undefined while the circuit is closed or half-open.
   */
  probeAt(unitId: string, now: number): number | undefined {
    const e = this.entries.get(unitId);
    if (!e || e.openedAt === undefined || this.state(unitId, now) !== 'open') return undefined;
    return e.openedAt + this.opts.cooldownMs;
  }

  success(unitId: string): void {
    if (this.entries.size > 0) this.entries.delete(unitId);
  }

  failure(unitId: string, now: number): void {
    const e = this.entries.get(unitId) ?? { failures: 0, probing: false };
    e.failures += 1;
    if (e.probing || e.failures >= this.opts.threshold) e.openedAt = now;
    e.probing = false;
    this.entries.set(unitId, e);
  }
}

import type { Logger, RedisLocks, Worker } from '@homeward/service-kit';
import type { Coordinator, EscalationOutcome } from './coordinator.ts';
import type { AlertSchedule } from './store/alert-schedule.ts';

export interface EscalationSchedulerOptions {
  coordinator: Coordinator;
  schedule: AlertSchedule;
  locks: RedisLocks;
  clock: { now(): Date };
  logger: Logger;
  /** Real milliseconds between ticks; the clock decides what is due. */
  tickMs: number;
  /** Due alerts handled per tick at most (the rest wait for the next tick). */
  batchSize: number;
}

export interface TickResult {
  due: number;
  escalated: number;
  /** Due alerts another instance held the lease of. */
  leased: number;
  outcomes: Partial<Record<EscalationOutcome, number>>;
}

/**
 * Widens alerts on time. The schedule lives in MongoDB (`nextDueAt` on each alert); a Redis
 * sorted set indexes it so a tick costs one ZRANGEBYSCORE when nothing is due. Per due alert:
 * a lease (SET NX PX), a read by `_id`, and a compare-and-set on the alert's step, so two
 * instances, or one restarted mid-step, widen each step exactly once.
 */
export class EscalationScheduler implements Worker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(private readonly opts: EscalationSchedulerOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    const scheduled = await this.opts.coordinator.recoverSchedule();
    this.opts.logger.info({ scheduled }, 'escalation schedule rebuilt from MongoDB');
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch((err: unknown) => this.opts.logger.warn({ err }, 'escalation tick failed; next tick retries'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(loop, this.opts.tickMs);
        });
    };
    this.timer = setTimeout(loop, this.opts.tickMs);
  }

  /** One pass over the due alerts (tests call it directly with a manual clock). */
  async tick(): Promise<TickResult> {
    const due = await this.opts.schedule.due(this.opts.clock.now(), this.opts.batchSize);
    const result: TickResult = { due: due.length, escalated: 0, leased: 0, outcomes: {} };
    for (const alertId of due) {
      const token = await this.opts.locks.tryAcquire(`alert:${alertId}`);
      if (!token) {
        result.leased++;
        continue;
      }
      try {
        const outcome = await this.opts.coordinator.escalateIfDue(alertId);
        result.outcomes[outcome] = (result.outcomes[outcome] ?? 0) + 1;
        if (outcome === 'escalated') result.escalated++;
      } catch (err) {
        this.opts.logger.warn({ err, alertId }, 'escalation failed; retried next tick');
      } finally {
        await this.opts.locks.release(`alert:${alertId}`, token);
      }
    }
    return result;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

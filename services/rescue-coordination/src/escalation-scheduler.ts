import type { Logger, Worker } from '@homeward/service-kit';
import type { CaseService, EscalationOutcome } from './case-service.ts';
import type { AlertSchedule } from './store/alert-schedule.ts';

export interface EscalationSchedulerOptions {
  service: CaseService;
  schedule: AlertSchedule;
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
  outcomes: Partial<Record<EscalationOutcome, number>>;
}

/**
 * Widens alerts on time. The schedule lives in the case documents (each alert's `nextDueAt`);
 * a Redis sorted set indexes it so a tick costs one ZRANGEBYSCORE when nothing is due. Each due
 * alert is looked at under its case's lease, so two instances widen each step once.
 */
export class EscalationScheduler implements Worker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(private readonly opts: EscalationSchedulerOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    const scheduled = await this.opts.service.rebuildSchedule();
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
    const result: TickResult = { due: due.length, escalated: 0, outcomes: {} };
    for (const alertId of due) {
      try {
        const outcome = await this.opts.service.escalateIfDue(alertId);
        result.outcomes[outcome] = (result.outcomes[outcome] ?? 0) + 1;
        if (outcome === 'escalated') result.escalated++;
      } catch (err) {
        this.opts.logger.warn({ err, alertId }, 'escalation failed; retried next tick');
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

import { type Clock, type DueIndex, DueWorker, type Logger, type Worker } from '@homeward/service-kit';
import type { SubmissionService } from './submission-service.ts';

export interface ReminderWorkerOptions {
  submissions: SubmissionService;
  index: DueIndex;
  clock: Clock;
  logger: Logger;
  /** Real milliseconds between checks; the injected clock decides what is due. */
  intervalMs: number;
  batchSize: number;
}

/** What one check did. */
export interface ReminderCheck {
  /** Reports the index named as due. */
  due: number;
  /** Reminders raised by this checker (another instance may have raised the rest). */
  raised: number;
  failed: number;
}

/**
 * Reminds member departments of the January report: the kit's {@link DueWorker} over an index
 * of submission ids (`<year>:<region>:<agencyId>`) → the time of their next reminder. At start
 * it rebuilds the index from the roster; a check costs one ZRANGEBYSCORE when nothing is due.
 * Any number of instances may check at once: the claim's unique id raises each reminder once.
 */
export class ReminderWorker implements Worker {
  private readonly worker: DueWorker<number>;

  constructor(opts: ReminderWorkerOptions) {
    this.worker = new DueWorker({
      name: 'annual report reminders',
      index: opts.index,
      clock: opts.clock,
      logger: opts.logger,
      intervalMs: opts.intervalMs,
      batchSize: opts.batchSize,
      handle: (id) => opts.submissions.remind(id),
      rebuild: () => opts.submissions.rebuildReminders(),
    });
  }

  start(): Promise<void> {
    return this.worker.start();
  }

  stop(): Promise<void> {
    return this.worker.stop();
  }

  /** One pass over what is due (tests call it directly, with a manual clock). */
  async check(): Promise<ReminderCheck> {
    const pass = await this.worker.tick();
    return { due: pass.due, raised: pass.results.reduce((n, r) => n + r.result, 0), failed: pass.failed };
  }
}

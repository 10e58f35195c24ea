import type { Clock, Logger, Worker } from '@homeward/service-kit';
import type { PlacementService } from './placement-service.ts';
import type { CaseStore } from './store/case-store.ts';
import type { OverdueIndex } from './store/overdue-index.ts';

export interface OverdueWorkerOptions {
  placements: PlacementService;
  store: CaseStore;
  index: OverdueIndex;
  clock: Clock;
  logger: Logger;
  /** Real milliseconds between checks; the injected clock decides what is due. */
  intervalMs: number;
  /** Cases handled per check at most (the rest wait for the next one). */
  batchSize: number;
}

export interface CheckResult {
  /** Cases the index named as due. */
  cases: number;
  /** Overdue events raised by this checker (another instance may have raised the rest). */
  raised: number;
  failed: number;
}

/**
 * Finds follow-ups past their due date. At start it rebuilds the Redis index from MongoDB (one
 * read of every placed case, O(placed cases), once). Then a check costs one ZRANGEBYSCORE when
 * nothing is due (O(log n)); per due case, the case's lease (SET NX PX + release), a read by
 * `_id`, per due follow-up one claim insert (its `_id` is the follow-up id) and the relay's
 * publish, one update of the case and one ZADD/ZREM. Any number of instances may check at once:
 * the lease orders them and the unique claim raises each follow-up once, even past a lease.
 */
export class OverdueWorker implements Worker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(private readonly opts: OverdueWorkerOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    const indexed = await this.rebuild();
    this.opts.logger.info({ indexed }, 'overdue index rebuilt from MongoDB');
    const loop = () => {
      if (this.stopped) return;
      this.running = this.check()
        .catch((err: unknown) => this.opts.logger.warn({ err }, 'overdue check failed; the next one retries'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(loop, this.opts.intervalMs);
        });
    };
    this.timer = setTimeout(loop, this.opts.intervalMs);
  }

  /** Puts every placed case with an open, unraised follow-up into the index. */
  async rebuild(): Promise<number> {
    const entries: Array<[string, Date]> = [];
    for (const doc of await this.opts.store.placed()) {
      const at = this.opts.placements.nextOverdueAt(doc.followups);
      if (at) entries.push([doc._id, at]);
    }
    await this.opts.index.bringForwardAll(entries);
    return entries.length;
  }

  /** One pass over what is due (tests call it directly, with a manual clock). */
  async check(): Promise<CheckResult> {
    const due = await this.opts.index.due(this.opts.clock.now(), this.opts.batchSize);
    const result: CheckResult = { cases: due.length, raised: 0, failed: 0 };
    for (const caseId of due) {
      try {
        result.raised += await this.opts.placements.raiseOverdue(caseId);
      } catch (err) {
        result.failed++;
        this.opts.logger.warn({ err, caseId }, 'overdue check of a case failed; the next check retries');
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

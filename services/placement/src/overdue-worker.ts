import { type Clock, type DueIndex, DueWorker, type Logger, type Worker } from '@homeward/service-kit';
import type { PlacementService } from './placement-service.ts';
import type { CaseStore } from './store/case-store.ts';

export interface OverdueWorkerOptions {
  placements: PlacementService;
  store: CaseStore;
  index: DueIndex;
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
 * Finds follow-ups past their due date: the kit's {@link DueWorker} over the overdue index. At
 * start it rebuilds the index from MongoDB (one read of every placed case, once). Then a check
 * costs one ZRANGEBYSCORE when nothing is due; per due case, {@link PlacementService.raiseOverdue}.
 * Any number of instances may check at once: the case's lease orders them and the unique claim
 * raises each follow-up once.
 */
export class OverdueWorker implements Worker {
  private readonly worker: DueWorker<number>;

  constructor(private readonly opts: OverdueWorkerOptions) {
    this.worker = new DueWorker({
      name: 'overdue follow-ups',
      index: opts.index,
      clock: opts.clock,
      logger: opts.logger,
      intervalMs: opts.intervalMs,
      batchSize: opts.batchSize,
      handle: (caseId) => opts.placements.raiseOverdue(caseId),
      rebuild: () => this.rebuild(),
    });
  }

  start(): Promise<void> {
    return this.worker.start();
  }

  stop(): Promise<void> {
    return this.worker.stop();
  }

  /** Puts every placed case with an open, unraised follow-up into the index; returns how many. */
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
    const pass = await this.worker.tick();
    return {
      cases: pass.due,
      raised: pass.results.reduce((n, r) => n + r.result, 0),
      failed: pass.failed,
    };
  }
}

import { type Clock, type DueIndex, DueWorker, type Logger } from '@homeward/service-kit';
import type { CaseService } from './case-service.ts';

/**
 * The team clock: the kit's `DueWorker` over the index of case → when it is overdue for its
 * special team, rebuilt from the case documents at start. A look with nothing due is one
 * ZRANGEBYSCORE; per due case, {@link CaseService.raiseTeamOverdue}.
 */
export function teamWorker(opts: {
  service: CaseService;
  index: DueIndex;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  batchSize: number;
}): DueWorker<number> {
  return new DueWorker<number>({
    name: 'special team clock',
    index: opts.index,
    clock: opts.clock,
    logger: opts.logger,
    intervalMs: opts.intervalMs,
    batchSize: opts.batchSize,
    handle: (caseId) => opts.service.raiseTeamOverdue(caseId),
    rebuild: () => opts.service.rebuildTeamClock(),
  });
}

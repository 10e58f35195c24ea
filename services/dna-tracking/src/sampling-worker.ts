import { type Clock, type DueIndex, DueWorker, type Logger } from '@homeward/service-kit';
import type { SamplingService } from './sampling-service.ts';

/**
 * The sampling clock: the kit's {@link DueWorker} over the index of case → when its next unpaid
 * duty becomes overdue, rebuilt from MongoDB at start. A look with nothing due is one
 * ZRANGEBYSCORE; per due case, {@link SamplingService.raiseOverdue}.
 */
export function samplingWorker(opts: {
  sampling: SamplingService;
  index: DueIndex;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  batchSize: number;
}): DueWorker<number> {
  return new DueWorker({
    name: 'sampling duties',
    index: opts.index,
    clock: opts.clock,
    logger: opts.logger,
    intervalMs: opts.intervalMs,
    batchSize: opts.batchSize,
    handle: (caseId) => opts.sampling.raiseOverdue(caseId),
    rebuild: () => opts.sampling.rebuild(),
  });
}

import { type Clock, type DueIndex, DueWorker, type Logger } from '@homeward/service-kit';
import type { PlacementService } from './placement-service.ts';

/**
 * The clocks on "as soon as possible": the kit's {@link DueWorker} over the index of case →
 * when its next clock runs out, rebuilt from MongoDB at start. A look with nothing due is one
 * ZRANGEBYSCORE; per due case, {@link PlacementService.raiseClocks}.
 */
export function clockWorker(opts: {
  placements: PlacementService;
  index: DueIndex;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  batchSize: number;
}): DueWorker<number> {
  return new DueWorker<number>({
    name: 'placement clocks',
    index: opts.index,
    clock: opts.clock,
    logger: opts.logger,
    intervalMs: opts.intervalMs,
    batchSize: opts.batchSize,
    handle: (caseId) => opts.placements.raiseClocks(caseId),
    rebuild: () => opts.placements.rebuildClocks(),
  });
}

import { type Clock, type DueIndex, type DuePass, DueWorker, type Logger } from '@homeward/service-kit';
import type { AlertService, EscalationOutcome } from './alert-service.ts';

/**
 * Widens alerts on time: the kit's `DueWorker` over the alert due-time index. At start the
 * index is rebuilt from the case documents (the truth); each pass reads the alerts due now
 * (one ZRANGEBYSCORE when nothing is), and the alert service looks at each under its case's lease
 * and leaves the index right.
 */
export function escalationWorker(opts: {
  alerts: AlertService;
  index: DueIndex;
  clock: Clock;
  logger: Logger;
  /** Real milliseconds between passes; the clock decides what is due. */
  intervalMs: number;
  /** Due alerts handled per pass at most (the rest wait for the next pass). */
  batchSize: number;
}): DueWorker<EscalationOutcome> {
  return new DueWorker<EscalationOutcome>({
    name: 'alert escalation',
    index: opts.index,
    clock: opts.clock,
    logger: opts.logger,
    intervalMs: opts.intervalMs,
    batchSize: opts.batchSize,
    handle: (alertId) => opts.alerts.escalateIfDue(alertId),
    rebuild: () => opts.alerts.rebuildSchedule(),
  });
}

/** How many alerts of a pass ended in each outcome. */
export function countOutcomes(pass: DuePass<EscalationOutcome>): Partial<Record<EscalationOutcome, number>> {
  const counts: Partial<Record<EscalationOutcome, number>> = {};
  for (const { result } of pass.results) counts[result] = (counts[result] ?? 0) + 1;
  return counts;
}

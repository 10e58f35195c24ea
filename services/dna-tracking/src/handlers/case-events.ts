import type { EventHandler } from '@homeward/messaging';
import type { SamplingService } from '../sampling-service.ts';

/**
 * The case events dna-tracking keeps: which cases exist (a sample must name one that does) and
 * what each owes. Each step is idempotent: a redelivery finds the case, or its change, made.
 */
export function caseEventHandlers(sampling: SamplingService) {
  const opened: EventHandler<'homeward.case.opened'> = async (event, ctx) => {
    const fresh = await sampling.recordOpened(event.data);
    ctx.log.debug({ caseId: event.data.caseId, fresh }, 'case known; its sampling duties kept');
  };
  const rescued: EventHandler<'homeward.case.child-rescued'> = async (event, ctx) => {
    const changed = await sampling.recordRescued(event.data);
    ctx.log.debug({ caseId: event.data.caseId, changed }, 'rescued child owes its sample');
  };
  const closed: EventHandler<'homeward.case.closed'> = async (event, ctx) => {
    const changed = await sampling.recordClosed(event.data);
    ctx.log.debug({ caseId: event.data.caseId, changed }, 'closed case: duties retired');
  };
  return {
    'homeward.case.opened': opened,
    'homeward.case.child-rescued': rescued,
    'homeward.case.closed': closed,
  };
}

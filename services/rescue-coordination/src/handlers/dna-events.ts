import type { EventHandler } from '@homeward/messaging';
import { PoisonMessageError } from '@homeward/messaging';
import { NotFoundError } from '@homeward/service-kit';
import type { CaseService } from '../case-service.ts';

/**
 * A lab confirmed a kinship match: the child is identified on the parents' case and on its own
 * case, and the two are linked (each timeline shows the other).
 */
export function matchConfirmedHandler(service: CaseService): EventHandler<'homeward.dna.match-confirmed'> {
  return async (event, ctx) => {
    if (!event.data.caseId && !event.data.childCaseId) {
      ctx.log.debug({ matchId: event.data.matchId }, 'match without a case: nothing to mark');
      return;
    }
    try {
      await service.recordIdentified(event);
    } catch (err) {
      if (err instanceof NotFoundError) throw new PoisonMessageError(err.code, err.message, { cause: err });
      throw err;
    }
    ctx.log.info(
      { caseId: event.data.caseId, childCaseId: event.data.childCaseId, matchId: event.data.matchId },
      'child identified by DNA',
    );
  };
}

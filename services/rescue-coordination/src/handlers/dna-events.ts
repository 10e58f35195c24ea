import type { EventHandler } from '@homeward/messaging';
import { PoisonMessageError } from '@homeward/messaging';
import { NotFoundError } from '@homeward/service-kit';
import type { CaseService } from '../case-service.ts';

/** A lab confirmed a kinship match: the child of the named case is identified. */
export function matchConfirmedHandler(service: CaseService): EventHandler<'homeward.dna.match-confirmed'> {
  return async (event, ctx) => {
    if (!event.data.caseId) {
      ctx.log.debug({ matchId: event.data.matchId }, 'match without a case: nothing to mark');
      return;
    }
    try {
      await service.recordIdentified(event);
    } catch (err) {
      if (err instanceof NotFoundError) throw new PoisonMessageError(err.code, err.message, { cause: err });
      throw err;
    }
    ctx.log.info({ caseId: event.data.caseId, matchId: event.data.matchId }, 'child identified by DNA');
  };
}

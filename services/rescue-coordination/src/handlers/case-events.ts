import type { EventHandler } from '@homeward/messaging';
import { PoisonMessageError } from '@homeward/messaging';
import { NotFoundError } from '@homeward/service-kit';
import type { AlertService } from '../alert-service.ts';
import type { CaseService } from '../case-service.ts';

/**
 * A case opened by intake: recorded, and for a missing child reported by police the alert goes
 * out at once. A redelivery finds the case and its alert and changes nothing.
 */
export function caseOpenedHandler(
  service: CaseService,
  alerts: AlertService,
): EventHandler<'homeward.case.opened'> {
  return async (event, ctx) => {
    const fresh = await service.recordOpened(event);
    const alert = await alerts.afterOpened(event.data);
    ctx.log.info({ caseId: event.data.caseId, fresh, alertId: alert?.alertId }, 'case opened');
  };
}

/** A lead on a case (a sighting, a second report): kept for police to move the alert's centre to. */
export function leadAddedHandler(service: CaseService): EventHandler<'homeward.case.lead-added'> {
  return async (event, ctx) => {
    try {
      await service.recordLead(event);
    } catch (err) {
      // case.opened precedes its leads on the case's partition: an unknown case is a bad event.
      if (err instanceof NotFoundError) throw new PoisonMessageError(err.code, err.message, { cause: err });
      throw err;
    }
    ctx.log.info({ caseId: event.data.caseId, leadId: event.data.leadId }, 'lead recorded');
  };
}

import type { EventHandler } from '@homeward/messaging';
import type { AlertService } from '../alert-service.ts';

/** A unit acknowledged an alert: kept as a fact, so each unit counts once. */
export function acknowledgedHandler(
  alerts: AlertService,
): EventHandler<'homeward.notification.acknowledged'> {
  return async (event, ctx) => {
    const d = event.data;
    const known = await alerts.recordAck(d.alertId, d.unitId, new Date(d.acknowledgedAt));
    if (!known) ctx.log.warn({ alertId: event.data.alertId }, 'acknowledgement of an unknown alert ignored');
  };
}

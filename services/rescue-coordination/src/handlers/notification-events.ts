import type { EventHandler } from '@homeward/messaging';
import type { Coordinator } from '../coordinator.ts';

/** A unit acknowledged an alert: counted on the alert, each unit once. */
export function acknowledgedHandler(
  coordinator: Coordinator,
): EventHandler<'homeward.notification.acknowledged'> {
  return async (event, ctx) => {
    const known = await coordinator.recordAck(event.data.alertId, event.data.unitId);
    if (!known) ctx.log.warn({ alertId: event.data.alertId }, 'acknowledgement of an unknown alert ignored');
  };
}

import { type CloudEvent, createEvent, type EventData } from '@homeward/events';

export const SOURCE = 'homeward/notifications';

/** What a searcher needs of an alert, picked field by field (never copied wholesale). */
export interface SearcherView {
  alertId: string;
  caseId: string;
  issuedAt: string;
  lastSeenAt: string;
  lastSeenPlace: string;
  center: { lat: number; lon: number };
  region: string;
  child: { sex: 'female' | 'male' | 'unknown'; birthDate?: string; description?: string; photoUrl?: string };
}

/**
 * Picks from an issued alert only what a unit may see. The catalogue's data schemas are open,
 * so an upstream producer could add a field (a family phone, a DNA reference): an explicit
 * allow-list means such a field never reaches a unit.
 */
export function searcherView(d: EventData<'homeward.alert.issued'>): SearcherView {
  const child: SearcherView['child'] = { sex: d.child.sex };
  if (d.child.birthDate !== undefined) child.birthDate = d.child.birthDate;
  if (d.child.description !== undefined) child.description = d.child.description;
  if (d.child.photoUrl !== undefined) child.photoUrl = d.child.photoUrl;
  return {
    alertId: d.alertId,
    caseId: d.caseId,
    issuedAt: d.issuedAt,
    lastSeenAt: d.lastSeenAt,
    lastSeenPlace: d.lastSeenPlace,
    center: { lat: d.center.lat, lon: d.center.lon },
    region: d.region,
    child,
  };
}

/**
 * The event a unit receives for one alert step: `homeward.alert.issued` data (valid against the
 * catalogue schema) with the step's radius and centre. One event per (alert, step), the same for
 * every unit newly covered by that step; the `webhook-id` is what differs per unit.
 */
export function unitAlertEvent(
  view: SearcherView,
  step: number,
  radiusKm: number,
  center: { lat: number; lon: number },
  time: Date,
): CloudEvent {
  return createEvent(
    'homeward.alert.issued',
    { ...view, center, radiusKm, step },
    { source: SOURCE, subject: view.alertId, id: `${view.alertId}.alert.${step}`, time },
  );
}

/** The cancellation a unit receives: why the alert ended. */
export function unitCancelEvent(d: EventData<'homeward.alert.cancelled'>): CloudEvent {
  const data: EventData<'homeward.alert.cancelled'> = {
    alertId: d.alertId,
    caseId: d.caseId,
    cancelledAt: d.cancelledAt,
    reason: d.reason,
  };
  if (d.note !== undefined) data.note = d.note;
  return createEvent('homeward.alert.cancelled', data, {
    source: SOURCE,
    subject: d.alertId,
    id: `${d.alertId}.cancelled`,
    time: d.cancelledAt,
  });
}

/** The Standard Webhooks message id of one unit's copy: stable across retries and instances. */
export function webhookId(eventId: string, unitId: string): string {
  return `${eventId}.${unitId}`;
}

import type { HomewardEvent } from '@homeward/events';
import { legacyVictimRef } from './victims.ts';

/**
 * Immutable facts remembered about an aggregate so that later events, which do not repeat
 * them, can still be placed: a case's region and opening time, an alert's case and region, a
 * sample's region, a follow-up's region. Written once, never changed, so writing them again on
 * a redelivery is harmless.
 */
export interface Ref {
  _id: string;
  region?: string;
  caseId?: string;
  openedAt?: string;
  /** A case's one child as its opening describes it, for events from before victims (see victims.ts). */
  victimSex?: string;
  turns14?: string;
  turns18?: string;
}

/** The `_id` of a case's remembered facts. */
export const caseRef = (caseId: string) => `case:${caseId}`;
/** The `_id` of an alert's remembered facts. */
export const alertRef = (alertId: string) => `alert:${alertId}`;
/** The `_id` of a sample's remembered facts. */
export const sampleRef = (sampleId: string) => `sample:${sampleId}`;
/** The `_id` of a follow-up's remembered facts. */
export const followupRef = (followupId: string) => `followup:${followupId}`;

/** The facts an event establishes. */
export function refsWritten(event: HomewardEvent): Ref[] {
  switch (event.type) {
    case 'homeward.case.opened': {
      const d = (event as HomewardEvent<'homeward.case.opened'>).data;
      return [{ _id: caseRef(d.caseId), region: d.region, openedAt: d.openedAt, ...legacyVictimRef(d) }];
    }
    case 'homeward.alert.issued': {
      const d = (event as HomewardEvent<'homeward.alert.issued'>).data;
      return [{ _id: alertRef(d.alertId), region: d.region, caseId: d.caseId }];
    }
    case 'homeward.dna.sample-collected': {
      const d = (event as HomewardEvent<'homeward.dna.sample-collected'>).data;
      return [
        {
          _id: sampleRef(d.sampleId),
          region: d.region,
          ...(d.subject.caseId ? { caseId: d.subject.caseId } : {}),
        },
      ];
    }
    case 'homeward.followup.scheduled': {
      const d = (event as HomewardEvent<'homeward.followup.scheduled'>).data;
      return [{ _id: followupRef(d.followupId), region: d.region, caseId: d.caseId }];
    }
    default:
      return [];
  }
}

/**
 * The fact an event needs to be placed (its case or region), when it does not carry it: for the
 * figures, and for the types a board also places (escalations, notifications, custody, profiles).
 */
export function refNeeded(event: HomewardEvent): string | undefined {
  const d = event.data as Record<string, unknown>;
  const s = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  if (event.type.startsWith('homeward.case.') && event.type !== 'homeward.case.opened') {
    const id = s('caseId');
    return id ? caseRef(id) : undefined;
  }
  if (event.type === 'homeward.alert.escalated' || event.type === 'homeward.alert.cancelled')
    return alertRef(s('alertId') ?? '');
  if (event.type.startsWith('homeward.notification.')) {
    // A notification naming its case and region (optional since they were added) is placed by
    // them; one from before, by its alert. A unit's events name no alert and need nothing.
    const alertId = s('alertId');
    return alertId && !(s('caseId') && s('region')) ? alertRef(alertId) : undefined;
  }
  if (event.type === 'homeward.dna.custody-recorded' || event.type === 'homeward.dna.profile-entered')
    return sampleRef(s('sampleId') ?? '');
  if (event.type.startsWith('homeward.dna.match-')) return sampleRef(s('childSampleId') ?? '');
  if (event.type === 'homeward.followup.completed' || event.type === 'homeward.followup.overdue')
    return followupRef(s('followupId') ?? '');
  return undefined;
}

import type { HomewardEvent } from '@homeward/events';
import { legacyVictimRef } from './victim-counts.ts';

/**
 * Immutable facts the dashboard remembers about an aggregate so that later events, which do
 * not repeat them, can still be placed: a case's region and opening time, an alert's case
 * and region, a sample's region, a follow-up's region. Written once, never changed, so writing
 * them again on a redelivery is harmless.
 */
export interface Ref {
  _id: string;
  region?: string;
  caseId?: string;
  openedAt?: string;
  /** A case's one child as its opening describes it, for events from before victims (see victim-counts.ts). */
  victimSex?: string;
  turns14?: string;
  turns18?: string;
}

export const caseRef = (caseId: string) => `case:${caseId}`;
export const alertRef = (alertId: string) => `alert:${alertId}`;
export const sampleRef = (sampleId: string) => `sample:${sampleId}`;
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

/** The fact an event needs to be placed (its case or region), when it does not carry it. */
export function refNeeded(event: HomewardEvent): string | undefined {
  const d = event.data as Record<string, unknown>;
  const s = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  if (event.type.startsWith('homeward.case.') && event.type !== 'homeward.case.opened') {
    const id = s('caseId');
    return id ? caseRef(id) : undefined;
  }
  if (event.type === 'homeward.alert.escalated' || event.type === 'homeward.alert.cancelled')
    return alertRef(s('alertId') ?? '');
  if (event.type.startsWith('homeward.notification.')) return alertRef(s('alertId') ?? '');
  if (event.type === 'homeward.dna.custody-recorded' || event.type === 'homeward.dna.profile-entered')
    return sampleRef(s('sampleId') ?? '');
  if (event.type.startsWith('homeward.dna.match-')) return sampleRef(s('childSampleId') ?? '');
  if (event.type === 'homeward.followup.completed' || event.type === 'homeward.followup.overdue')
    return followupRef(s('followupId') ?? '');
  return undefined;
}

/** Region and case of an event, from its own data first and then from the remembered fact. */
export function placeOf(event: HomewardEvent, ref: Ref | undefined): { region?: string; caseId?: string } {
  const d = event.data as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  let region = str(d.region);
  let caseId = str(d.caseId);
  if (event.type === 'homeward.report.submitted') {
    const r = d as Record<string, Record<string, unknown> | undefined>;
    region =
      str(r.lastSeen?.region) ?? str(r.foundAt?.region) ?? str(r.location?.region) ?? str(r.seenAt?.region);
  }
  if (event.type === 'homeward.case.lead-added') {
    // A lead's own place may lie elsewhere; the case's region is what the board groups by.
    region = ref?.region ?? str((d.seenAt as Record<string, unknown> | undefined)?.region);
  } else if (event.type.startsWith('homeward.case.') && ref?.region) {
    region = ref.region;
  }
  region ??= ref?.region;
  caseId ??= ref?.caseId;
  return { ...(region ? { region } : {}), ...(caseId ? { caseId } : {}) };
}

import type { HomewardEvent } from '@homeward/events';

/**
 * Immutable facts remembered about an aggregate so that later events, which do not repeat
 * them, can still be placed: a case's region, an alert's region, a sample's region, a
 * follow-up's region. Written once, never changed.
 */
export interface Ref {
  _id: string;
  region?: string;
  caseId?: string;
}

export const caseRef = (caseId: string) => `case:${caseId}`;
export const alertRef = (alertId: string) => `alert:${alertId}`;
export const sampleRef = (sampleId: string) => `sample:${sampleId}`;
export const followupRef = (followupId: string) => `followup:${followupId}`;

/** The facts an event establishes. */
export function refsWritten(event: HomewardEvent): Ref[] {
  // biome-ignore lint/suspicious/noExplicitAny: each branch reads the fields its type's schema guarantees
  const d = event.data as Record<string, any>;
  switch (event.type) {
    case 'homeward.case.opened':
      return [{ _id: caseRef(d.caseId), region: d.region }];
    case 'homeward.alert.issued':
      return [{ _id: alertRef(d.alertId), region: d.region, caseId: d.caseId }];
    case 'homeward.dna.sample-collected':
      return [
        {
          _id: sampleRef(d.sampleId),
          region: d.region,
          ...(d.subject.caseId ? { caseId: d.subject.caseId } : {}),
        },
      ];
    case 'homeward.followup.scheduled':
      return [{ _id: followupRef(d.followupId), region: d.region, caseId: d.caseId }];
    default:
      return [];
  }
}

/** The fact an event needs to be placed, when it does not carry its region. */
export function refNeeded(event: HomewardEvent): string | undefined {
  const d = event.data as Record<string, unknown>;
  const s = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  if (event.type.startsWith('homeward.case.') && event.type !== 'homeward.case.opened') {
    const id = s('caseId');
    return id ? caseRef(id) : undefined;
  }
  if (event.type === 'homeward.alert.cancelled') return alertRef(s('alertId') ?? '');
  if (event.type.startsWith('homeward.dna.match-')) return sampleRef(s('childSampleId') ?? '');
  if (event.type === 'homeward.followup.completed' || event.type === 'homeward.followup.overdue')
    return followupRef(s('followupId') ?? '');
  return undefined;
}

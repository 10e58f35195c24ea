import {
  type Actor,
  type CaseKind,
  createEvent,
  type HomewardEvent,
  type ReportData,
  victimsOfReport,
} from '@homeward/events';
import { caseIdFor, eventIdFor } from './ids.ts';
import type { Refusal } from './screening.ts';

/** The `source` of every event intake publishes. */
export const SOURCE = 'homeward/intake';

/** What a report became: a new case, or a lead on an open one. */
export const Outcomes = ['case-opened', 'lead-added'] as const;
export type Outcome = (typeof Outcomes)[number];

/** Where a report goes: the case it opens or adds to, and the child key that decided it. */
export interface Decision {
  caseId: string;
  outcome: Outcome;
  /** The duplicate-child key of a missing-child report (see duplicate-child.ts). */
  childKey?: string;
}

/** A report that is not a sighting and not a duplicate opens its own case, its id derived from the report's. */
export function opensCase(reportId: string, childKey?: string): Decision {
  return { caseId: caseIdFor(reportId), outcome: 'case-opened', ...(childKey ? { childKey } : {}) };
}

/** A sighting adds a lead to the case it names, which intake must know and which must be open. */
export function decideSighting(
  caseId: string,
  known: { status: 'open' | 'closed' } | null,
): Decision | Refusal {
  if (!known) return { refused: 'caseNotFound', detail: `no case "${caseId}"` };
  if (known.status === 'closed') return { refused: 'caseClosed', detail: `the case "${caseId}" is closed` };
  return { caseId, outcome: 'lead-added' };
}

/** The division a report happened in. */
export function regionOf(data: ReportData): string {
  switch (data.kind) {
    case 'missing-child':
      return data.lastSeen.region;
    case 'unidentified-child':
      return data.foundAt.region;
    case 'suspected-trafficking':
      return data.location.region;
    case 'sighting':
      return data.seenAt.region;
    case 'missing-woman':
      return data.lastSeen.region;
  }
}

/** What the event about a report says besides the decision: who sent it, when, in which trace. */
export interface OutcomeContext {
  reportId: string;
  reportedBy: Actor;
  now: Date;
  traceparent?: string | undefined;
}

/**
 * The event a decided report publishes on `case.events.v1`: `case.opened` with the whole report,
 * or `case.lead-added` with what a searcher needs of it. Its id is derived from the report id,
 * so a retry or a recovery publishes the same event, which consumers drop as a repeat.
 */
export function outcomeEvent(decision: Decision, data: ReportData, ctx: OutcomeContext): HomewardEvent {
  const { reportId, reportedBy, now } = ctx;
  const common = {
    source: SOURCE,
    subject: decision.caseId,
    time: now,
    ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
  };
  if (decision.outcome === 'case-opened') {
    if (data.kind === 'sighting') throw new Error('a sighting never opens a case');
    return createEvent(
      'homeward.case.opened',
      {
        caseId: decision.caseId,
        kind: data.kind satisfies CaseKind,
        region: regionOf(data),
        openedAt: now.toISOString(),
        reportId,
        reportedBy,
        report: data,
        victims: victimsOfReport(decision.caseId, data),
      },
      { ...common, id: eventIdFor(reportId, 'case-opened') },
    );
  }
  return createEvent(
    'homeward.case.lead-added',
    {
      caseId: decision.caseId,
      leadId: reportId,
      reportId,
      addedAt: now.toISOString(),
      reportedBy,
      ...leadOf(data),
    },
    { ...common, id: eventIdFor(reportId, 'lead-added') },
  );
}

/** What a lead carries: where and when the child was seen, and how to recognise it. */
function leadOf(data: ReportData) {
  switch (data.kind) {
    case 'sighting':
      return {
        origin: 'sighting' as const,
        seenAt: data.seenAt,
        description: data.description,
        ...(data.photoUrl ? { photoUrl: data.photoUrl } : {}),
      };
    case 'missing-child':
      return {
        origin: 'duplicate-report' as const,
        seenAt: data.lastSeen,
        ...(data.child.description ? { description: data.child.description } : {}),
        ...(data.child.photoUrl ? { photoUrl: data.child.photoUrl } : {}),
      };
    default:
      throw new Error(`a ${data.kind} report never adds a lead`);
  }
}

import {
  CancelReasons,
  FollowupOwners,
  type FollowupType,
  type HomewardEvent,
  PlacementTypes,
} from '@homeward/events';
import type { Ref } from './refs.ts';
import { type VictimCounter, victimCountsOf } from './victims.ts';

/**
 * The counters of one department's year in one region, in the order the reports show them
 * (flat keys: stored as they are). Victims by sex and age group are counted beside them
 * ({@link VICTIM_COUNTERS}).
 */
export const COUNTERS = [
  'reportsReceived',
  'casesOpened',
  'casesClosed',
  'teamsAssigned',
  'alertsIssued',
  ...CancelReasons.map((r) => `alertsEnded:${r}` as const),
  'childrenLocated',
  'childrenRescued',
  'samplesCollected',
  'matchesFound',
  'matchesConfirmed',
  'matchesRejected',
  ...PlacementTypes.map((t) => `placements:${t}` as const),
  'followupsScheduled',
  'followupsCompleted',
  'followupsOverdue',
] as const;
/** One of {@link COUNTERS}. */
export type Counter = (typeof COUNTERS)[number];
/** Any key a contribution counts: a department counter or a victims counter. */
export type FigureKey = Counter | VictimCounter;

/** What one event adds to one (year, region, department) row. */
export interface Contribution {
  year: number;
  region: string;
  department: string;
  counts: Partial<Record<FigureKey, number>>;
  /** Milliseconds from the report (case opened) to the child located. */
  reportToLocatedMs?: number;
}

/** An event's region is sometimes known only from an earlier one; until then it is this. */
export const UNKNOWN_REGION = 'unknown';

/** The calendar year of a time, in the reports' calendar (minutes east of UTC). */
export function yearOf(time: string, utcOffsetMinutes: number): number {
  return new Date(Date.parse(time) + utcOffsetMinutes * 60_000).getUTCFullYear();
}

/** The department that answers for a follow-up kind: the contract's owners, civil affairs for an unknown kind. */
const followupDepartment = (type: string): string => FollowupOwners[type as FollowupType] ?? 'civil-affairs';

/**
 * What an event adds to the platform's figures. The region is the case's (or the alert's,
 * sample's, follow-up's); the department is the role that answers for the figure: the reporting
 * agency's role for reports and cases opened, police for teams, closures, alerts, located and
 * rescued children, the collecting agency's role for samples, DNA labs for matches, civil
 * affairs for placements, and the contract's owner for follow-ups by kind. Reports received
 * count reports that intake accepted (a case opened or a lead added), so reports sent over HTTP
 * and over Kafka count alike and refused ones do not. Victims count in the same row (in the
 * police row for a rescue that adds no other figure).
 *
 * `ref` is the fact {@link refNeeded} names; `caseRefForVictims` the case facts that
 * {@link needsCaseRef} names, for placement events from before victims.
 */
export function contributionOf(
  event: HomewardEvent,
  ref: Ref | undefined,
  utcOffsetMinutes: number,
  caseRefForVictims?: Ref,
): Contribution | undefined {
  const c = figuresOf(event, ref, utcOffsetMinutes);
  const victims = victimCountsOf(
    event,
    event.type === 'homeward.case.child-rescued' ? ref : caseRefForVictims,
  );
  if (Object.keys(victims).length === 0) return c;
  const base = c ?? {
    year: yearOf(timeOf(event), utcOffsetMinutes),
    region: ref?.region ?? ((event.data as { region?: string }).region || UNKNOWN_REGION),
    department: 'police',
    counts: {},
  };
  return { ...base, counts: { ...base.counts, ...victims } };
}

/** When a victims event happened (the one type with victim counts and no other figure). */
function timeOf(event: HomewardEvent): string {
  const d = event.data as { rescuedAt?: string };
  return d.rescuedAt ?? event.time ?? new Date(0).toISOString();
}

/** The figures of the department rows, without the victim counts. */
function figuresOf(
  event: HomewardEvent,
  ref: Ref | undefined,
  utcOffsetMinutes: number,
): Contribution | undefined {
  // biome-ignore lint/suspicious/noExplicitAny: each branch reads the fields its type's schema guarantees
  const d = event.data as Record<string, any>;
  const row = (
    time: string,
    region: string | undefined,
    department: string,
    counts: Contribution['counts'],
  ) => ({
    year: yearOf(time, utcOffsetMinutes),
    region: region ?? UNKNOWN_REGION,
    department,
    counts,
  });
  switch (event.type) {
    case 'homeward.case.opened':
      return row(d.openedAt, d.region, d.reportedBy.role, { reportsReceived: 1, casesOpened: 1 });
    case 'homeward.case.lead-added':
      return row(d.addedAt, ref?.region ?? d.seenAt.region, d.reportedBy.role, { reportsReceived: 1 });
    case 'homeward.case.team-assigned':
      return row(d.assignedAt, ref?.region, 'police', { teamsAssigned: 1 });
    case 'homeward.case.closed':
      return row(d.closedAt, ref?.region, 'police', { casesClosed: 1 });
    case 'homeward.case.child-located': {
      const c = row(d.locatedAt, ref?.region ?? d.region, 'police', { childrenLocated: 1 });
      const elapsed = ref?.openedAt ? Date.parse(d.locatedAt) - Date.parse(ref.openedAt) : Number.NaN;
      return Number.isFinite(elapsed) && elapsed >= 0 ? { ...c, reportToLocatedMs: elapsed } : c;
    }
    case 'homeward.case.child-rescued':
      // One event may name several children (the twin of a raid's victims-rescued).
      return row(d.rescuedAt, ref?.region ?? d.region, 'police', {
        childrenRescued: Array.isArray(d.victimIds) ? d.victimIds.length : 1,
      });
    case 'homeward.alert.issued':
      return row(d.issuedAt, d.region, 'police', { alertsIssued: 1 });
    case 'homeward.alert.cancelled':
      return row(d.cancelledAt, ref?.region, 'police', { [`alertsEnded:${d.reason}`]: 1 });
    case 'homeward.dna.sample-collected':
      return row(d.collectedAt, d.region, d.collectedBy.role, { samplesCollected: 1 });
    case 'homeward.dna.match-found':
      return row(d.foundAt, ref?.region, 'dna-lab', { matchesFound: 1 });
    case 'homeward.dna.match-confirmed':
      return row(d.confirmedAt, ref?.region, 'dna-lab', { matchesConfirmed: 1 });
    case 'homeward.dna.match-rejected':
      return row(d.rejectedAt, ref?.region, 'dna-lab', { matchesRejected: 1 });
    case 'homeward.placement.decided':
      // A revision changes a decision already counted; only the first decision is a placement.
      return d.revision === 1
        ? row(d.decidedAt, d.region, 'civil-affairs', { [`placements:${d.type}`]: 1 })
        : undefined;
    case 'homeward.followup.scheduled':
      return row(`${d.dueDate}T12:00:00Z`, d.region, followupDepartment(d.type), { followupsScheduled: 1 });
    case 'homeward.followup.completed':
      return row(d.completedAt, ref?.region, followupDepartment(d.type), { followupsCompleted: 1 });
    case 'homeward.followup.overdue':
      return row(d.detectedAt, ref?.region, followupDepartment(d.type), { followupsOverdue: 1 });
    default:
      return undefined;
  }
}

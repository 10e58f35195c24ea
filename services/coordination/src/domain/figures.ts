import {
  CancelReasons,
  type FollowupType,
  type HomewardEvent,
  PlacementTypes,
  type Role,
} from '@homeward/events';
import type { Ref } from './refs.ts';

/**
 * The platform's figures of one department's year in one region: what the events already say,
 * so a department never types them. Flat keys, stored as they are.
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
export type Counter = (typeof COUNTERS)[number];
export type Counts = Record<Counter, number>;

/**
 * The department that answers for each follow-up kind. Partial on purpose: a kind added to the
 * contract later (helper "victims" adds several, with their owners in the catalogue) falls back
 * to civil affairs until it is named here, instead of breaking the build of a merge.
 */
export const FOLLOWUP_DEPARTMENT: Partial<Record<FollowupType, Role>> = {
  'compulsory-education': 'education',
  'medical-psychological-rehabilitation': 'health',
  'vocational-training': 'civil-affairs',
  'escorted-handover': 'civil-affairs',
};

/** What one event adds to one (year, region, department) row. */
export interface Contribution {
  year: number;
  region: string;
  department: string;
  counts: Partial<Counts>;
}

/** An event's region is sometimes known only from an earlier one; until then it is this. */
export const UNKNOWN_REGION = 'unknown';

/** The calendar year of a time, in the reports' calendar (minutes east of UTC). */
export function yearOf(time: string, utcOffsetMinutes: number): number {
  return new Date(Date.parse(time) + utcOffsetMinutes * 60_000).getUTCFullYear();
}

/**
 * What an event adds to the platform's figures. The region is the case's (or the alert's,
 * sample's, follow-up's); the department is the role that answers for the figure: the reporting
 * agency's role for reports and cases opened, police for teams, closures, alerts, located and
 * rescued children, the collecting agency's role for samples, DNA labs for matches, civil
 * affairs for placements, and education, health or civil affairs for follow-ups by kind.
 * Reports received are reports intake accepted (a case opened or a lead added).
 */
export function contributionOf(
  event: HomewardEvent,
  ref: Ref | undefined,
  utcOffsetMinutes: number,
): Contribution | undefined {
  // biome-ignore lint/suspicious/noExplicitAny: each branch reads the fields its type's schema guarantees
  const d = event.data as Record<string, any>;
  const row = (time: string, region: string | undefined, department: string, counts: Partial<Counts>) => ({
    year: yearOf(time, utcOffsetMinutes),
    region: region ?? UNKNOWN_REGION,
    department,
    counts,
  });
  const followupDepartment = (type: string) => FOLLOWUP_DEPARTMENT[type as FollowupType] ?? 'civil-affairs';
  switch (event.type) {
    case 'homeward.case.opened':
      return row(d.openedAt, d.region, d.reportedBy.role, { reportsReceived: 1, casesOpened: 1 });
    case 'homeward.case.lead-added':
      return row(d.addedAt, ref?.region ?? d.seenAt.region, d.reportedBy.role, { reportsReceived: 1 });
    case 'homeward.case.team-assigned':
      return row(d.assignedAt, ref?.region, 'police', { teamsAssigned: 1 });
    case 'homeward.case.closed':
      return row(d.closedAt, ref?.region, 'police', { casesClosed: 1 });
    case 'homeward.case.child-located':
      return row(d.locatedAt, ref?.region ?? d.region, 'police', { childrenLocated: 1 });
    case 'homeward.case.child-rescued':
      return row(d.rescuedAt, ref?.region ?? d.region, 'police', { childrenRescued: 1 });
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

/** One row of the platform's figures: a year, a region, a department, its counts. */
export interface FigureRow {
  year: number;
  region: string;
  department: string;
  counts: Partial<Counts>;
}

export function zeroCounts(): Counts {
  return Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counts;
}

/** Adds counts into a total (in place) and returns it. */
export function addCounts(total: Counts, more: Partial<Counts>): Counts {
  for (const c of COUNTERS) total[c] += more[c] ?? 0;
  return total;
}

/** The sum of rows chosen by a predicate. */
export function sumRows(rows: readonly FigureRow[], pick: (r: FigureRow) => boolean): Counts {
  const total = zeroCounts();
  for (const r of rows) if (pick(r)) addCounts(total, r.counts);
  return total;
}

/** Counts with their zero counters left out (what an event carries). */
export function nonZero(counts: Counts): Partial<Counts> {
  return Object.fromEntries(Object.entries(counts).filter(([, v]) => v !== 0)) as Partial<Counts>;
}

/** Human labels for the outputs (CSV keeps the keys; pages and the PDF show these). */
export function counterLabel(c: Counter): string {
  if (c.startsWith('alertsEnded:')) return `Alerts ended: ${c.slice('alertsEnded:'.length)}`;
  if (c.startsWith('placements:')) return `Placements: ${c.slice('placements:'.length)}`;
  const labels: Record<string, string> = {
    reportsReceived: 'Reports received',
    casesOpened: 'Cases opened',
    casesClosed: 'Cases closed',
    teamsAssigned: 'Special teams assigned',
    alertsIssued: 'Alerts issued',
    childrenLocated: 'Children located',
    childrenRescued: 'Children rescued',
    samplesCollected: 'DNA samples collected',
    matchesFound: 'DNA matches found',
    matchesConfirmed: 'DNA matches confirmed',
    matchesRejected: 'DNA matches rejected',
    followupsScheduled: 'Follow-ups scheduled',
    followupsCompleted: 'Follow-ups done',
    followupsOverdue: 'Follow-ups overdue',
  };
  return labels[c] ?? c;
}

import {
  AGE_LABELS,
  type AgeBucket,
  COUNTERS as DEPARTMENT_COUNTERS,
  type FigureKey,
  VICTIM_COUNTERS,
  type VICTIM_MEASURES,
  type VictimCounter,
} from '@homeward/figures';

/**
 * Every key of the platform's figures a submission and the roll-up carry: the department
 * counters, then victims by measure, sex and age group (what one event adds is
 * @homeward/figures' `contributionOf`, shared with the dashboard's annual report). Flat keys,
 * stored as they are.
 */
export const COUNTERS: readonly Counter[] = [...DEPARTMENT_COUNTERS, ...VICTIM_COUNTERS];
export type Counter = FigureKey;
export type Counts = Record<Counter, number>;

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

const VICTIM_LABELS: Record<(typeof VICTIM_MEASURES)[number], string> = {
  rescued: 'rescued',
  returnedHome: 'returned home',
  placed: 'placed',
  inTraining: 'in training',
  employed: 'employed',
};

/** Whether a key counts victims (shown only when not zero: most of the sixty are). */
export const isVictimCounter = (c: Counter): c is VictimCounter => c.startsWith('victims:');

/** Human labels for the outputs (CSV keeps the keys; pages and the PDF show these). */
export function counterLabel(c: Counter): string {
  if (c.startsWith('victims:')) {
    const [, measure, sex, age] = c.split(':');
    return `Victims ${VICTIM_LABELS[measure as (typeof VICTIM_MEASURES)[number]]}: ${sex}, ${AGE_LABELS[age as AgeBucket]}`;
  }
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

import { CancelReasons, PlacementTypes } from '@homeward/events';
import type { Plan, Story } from './plan.ts';
import { distanceKm } from './province.ts';

/** The contract's default escalation: within 1 h 100 km, 2 h 200 km, 3 h 300 km, then 500 km. */
export function radiusKmAfter(hours: number): number {
  if (hours <= 1) return 100;
  if (hours <= 2) return 200;
  if (hours <= 3) return 300;
  return 500;
}

/** The case events that move a case's status (the board's), in the order a story takes them. */
export const CASE_PATH_TYPES = [
  'homeward.case.opened',
  'homeward.case.team-assigned',
  'homeward.case.child-located',
  'homeward.case.child-rescued',
  'homeward.case.closed',
] as const;

/** What a case's story should have left on the platform. */
export interface ExpectedCase {
  story: string;
  kind: Story['kind'];
  status: 'opened' | 'searching' | 'located' | 'rescued' | 'closed';
  leads: number;
  /** Its status-moving events (CASE_PATH_TYPES), in order: the case's path. */
  path: string[];
  placement?: string;
  /** Its follow-ups by where they stand (a story with a placement only). */
  followups?: { completed: number; overdue: number; scheduled: number };
  /** Matches on its case: the parent pair's confirmed, each parent alone folded into it. */
  matches?: { confirmed: number; folded: number; rejected: number };
}

/** What an alert should have reached: units inside its radius, split by how they answer. */
export interface ExpectedAlert {
  story: string;
  radiusKm: number;
  active: boolean;
  notified: number;
  failed: number;
  acknowledged: number;
}

/** Which action moves a case along its path. */
const PATH_OF: Partial<Record<string, (typeof CASE_PATH_TYPES)[number]>> = {
  team: 'homeward.case.team-assigned',
  located: 'homeward.case.child-located',
  rescued: 'homeward.case.child-rescued',
  close: 'homeward.case.closed',
};

export interface ExpectedEndState {
  cases: ExpectedCase[];
  alerts: ExpectedAlert[];
  matchesConfirmed: number;
  matchesRejected: number;
  /** Single-parent matches folded into their parent pair's. */
  matchesFolded: number;
  placements: Record<string, number>;
  followups: { completed: number; overdue: number; scheduled: number };
  /**
   * The dashboard's annual figures for the run's year (every event of the run is in it): every
   * counter but `followupsScheduled`, which counts a follow-up in the year of its due date (a
   * placement decided weeks back, or due next month, may fall in another year than the run's).
   */
  annual: Record<string, number>;
}

/**
 * Follow-ups placement schedules (its policy): medical and psychological rehabilitation always,
 * compulsory education from 6 to 15, escorted handover on a return to the family, vocational
 * training from 16 when not returned home, and the women's federation's legal aid for every
 * child (every victim here is a child).
 */
function followupsOf(age: number, type: string): number {
  return (
    1 +
    (age < 18 ? 1 : 0) +
    (age >= 6 && age <= 15 ? 1 : 0) +
    (type === 'return-to-family' ? 1 : 0) +
    (age >= 16 && type !== 'return-to-family' ? 1 : 0)
  );
}

const ageOn = (birthDate: string, on: string) => {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
};

/**
 * The end state a plan must leave on a fresh platform, derived from the plan alone (the story
 * it means to tell and the units' geometry): what the full-story test holds the platform to.
 * `today` is the run's date at UTC+08:00 (ages at placement are counted on it).
 */
export function expectedEndState(plan: Plan, today: string): ExpectedEndState {
  const cases: ExpectedCase[] = [];
  const alerts: ExpectedAlert[] = [];
  let matchesConfirmed = 0;
  const matchesRejected = 0;
  let matchesFolded = 0;
  const placements: Record<string, number> = {};
  const followups = { completed: 0, overdue: 0, scheduled: 0 };
  let reports = 0;
  let leads = 0;
  for (const s of plan.stories) {
    const sightings = plan.actions.filter(
      (a) => a.story === s.id && a.do === 'report' && a.purpose === 'sighting',
    ).length;
    const storyLeads = sightings + (s.duplicate ? 1 : 0);
    leads += storyLeads;
    reports += 1;
    const status = s.closed
      ? 'closed'
      : s.rescued
        ? 'rescued'
        : s.located
          ? 'located'
          : s.alert
            ? 'searching'
            : 'opened';
    const path: string[] = ['homeward.case.opened'];
    for (const a of plan.actions) {
      const step = a.story === s.id ? PATH_OF[a.do] : undefined;
      if (step) path.push(step);
    }
    const c: ExpectedCase = {
      story: s.id,
      kind: s.kind,
      status,
      leads: storyLeads,
      path,
      ...(s.placement ? { placement: s.placement } : {}),
      ...(s.dna && s.rescued ? { matches: { confirmed: 1, folded: 2, rejected: 0 } } : {}),
    };
    cases.push(c);
    if (s.alert) {
      const open = plan.actions.find((a) => a.story === s.id && a.do === 'report' && a.purpose === 'open');
      const centre = open && open.do === 'report' ? open.place : undefined;
      const radiusKm = radiusKmAfter(s.hoursSinceLastSeen ?? 0);
      const inside = plan.units.filter((u) => centre && distanceKm(centre, u) <= radiusKm);
      alerts.push({
        story: s.id,
        radiusKm,
        active: !s.located,
        notified: inside.filter((u) => !u.broken).length,
        failed: inside.filter((u) => u.broken).length,
        acknowledged: inside.filter((u) => !u.broken && u.acks).length,
      });
    }
    if (s.dna && s.rescued) {
      matchesConfirmed += 1;
      // Each parent alone is folded into the pair's match (one review task per family), so
      // nothing is left to reject.
      matchesFolded += 2;
    }
    if (s.placement) {
      placements[s.placement] = (placements[s.placement] ?? 0) + 1;
      const decided = plan.actions.find((a) => a.story === s.id && a.do === 'placement');
      const daysAgo = decided && decided.do === 'placement' ? decided.daysAgo : 0;
      const on = new Date(Date.parse(`${today}T00:00:00Z`) - daysAgo * 86_400_000).toISOString().slice(0, 10);
      const age = s.child ? ageOn(s.child.birthDate, on) : (s.apparentAge ?? 0);
      const n = followupsOf(age, s.placement);
      const mine = { completed: 0, overdue: 0, scheduled: 0 };
      if (s.overdue) mine.overdue = n;
      else if (s.kind === 'missing-child') mine.completed = n;
      else mine.scheduled = n;
      c.followups = mine;
      followups.completed += mine.completed;
      followups.overdue += mine.overdue;
      followups.scheduled += mine.scheduled;
    }
  }
  const samples = plan.stories.filter((s) => s.dna).reduce((n, s) => n + (s.rescued ? 3 : 2), 0);
  const located = plan.actions.filter((a) => a.do === 'located').length;
  const annual: Record<string, number> = {
    reportsReceived: reports + leads,
    casesOpened: plan.stories.length,
    casesClosed: plan.stories.filter((s) => s.closed).length,
    alertsIssued: alerts.length,
    // Locating a child ends its running alert (found); nothing else ends one in a story.
    ...Object.fromEntries(CancelReasons.map((r) => [`alertsEnded:${r}`, r === 'found' ? located : 0])),
    childrenLocated: located,
    childrenRescued: plan.stories.filter((s) => s.rescued).length,
    samplesCollected: samples,
    // Each DNA story: the parent pair's match only. The child is profiled after both parents,
    // so each parent's match alone is folded into the pair's as it is found, never announced.
    matchesFound: matchesConfirmed,
    matchesConfirmed,
    matchesRejected,
    ...Object.fromEntries(PlacementTypes.map((t) => [`placements:${t}`, placements[t] ?? 0])),
    followupsCompleted: followups.completed,
    followupsOverdue: followups.overdue,
  };
  return { cases, alerts, matchesConfirmed, matchesRejected, matchesFolded, placements, followups, annual };
}

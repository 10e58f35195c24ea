import type { Plan, Story } from './plan.ts';
import { distanceKm } from './province.ts';

/** The contract's default escalation: within 1 h 100 km, 2 h 200 km, 3 h 300 km, then 500 km. */
export function radiusKmAfter(hours: number): number {
  if (hours <= 1) return 100;
  if (hours <= 2) return 200;
  if (hours <= 3) return 300;
  return 500;
}

/** What a case's story should have left on the platform. */
export interface ExpectedCase {
  story: string;
  kind: Story['kind'];
  status: 'opened' | 'searching' | 'located' | 'rescued' | 'closed';
  leads: number;
  placement?: string;
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

export interface ExpectedEndState {
  cases: ExpectedCase[];
  alerts: ExpectedAlert[];
  matchesConfirmed: number;
  matchesRejected: number;
  placements: Record<string, number>;
  followups: { completed: number; overdue: number; scheduled: number };
  /** The dashboard's annual figures for the run's year (every event of the run is in it). */
  annual: Record<string, number>;
}

/**
 * Follow-ups placement schedules (its policy): medical and psychological rehabilitation always,
 * compulsory education from 6 to 15, escorted handover on a return to the family, vocational
 * training from 16 when not returned home.
 */
function followupsOf(age: number, type: string): number {
  return (
    1 +
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
  let matchesRejected = 0;
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
    cases.push({
      story: s.id,
      kind: s.kind,
      status,
      leads: storyLeads,
      ...(s.placement ? { placement: s.placement } : {}),
    });
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
      matchesRejected += 2; // each parent alone, superseded by the pair
    }
    if (s.placement) {
      placements[s.placement] = (placements[s.placement] ?? 0) + 1;
      const decided = plan.actions.find((a) => a.story === s.id && a.do === 'placement');
      const daysAgo = decided && decided.do === 'placement' ? decided.daysAgo : 0;
      const on = new Date(Date.parse(`${today}T00:00:00Z`) - daysAgo * 86_400_000).toISOString().slice(0, 10);
      const age = s.child ? ageOn(s.child.birthDate, on) : (s.apparentAge ?? 0);
      const n = followupsOf(age, s.placement);
      if (s.overdue) followups.overdue += n;
      else if (s.kind === 'missing-child') followups.completed += n;
      else followups.scheduled += n;
    }
  }
  const samples = plan.stories.filter((s) => s.dna).reduce((n, s) => n + (s.rescued ? 3 : 2), 0);
  const annual = {
    reportsReceived: reports + leads,
    casesOpened: plan.stories.length,
    casesClosed: plan.stories.filter((s) => s.closed).length,
    alertsIssued: alerts.length,
    childrenRescued: plan.stories.filter((s) => s.rescued).length,
    samplesCollected: samples,
    matchesConfirmed,
    followupsCompleted: followups.completed,
    followupsOverdue: followups.overdue,
  };
  return { cases, alerts, matchesConfirmed, matchesRejected, placements, followups, annual };
}

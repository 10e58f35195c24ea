/**
 * The clocks on "as soon as possible" (DESIGN, "Placement and recovery"): a rescued child
 * not placed after some days, an identified child not returned to its family after some days.
 * Pure: which clocks of a case run, when each runs out, and the event it raises (once).
 */
import { createEvent, type HomewardEvent, type PlacementClock } from '@homeward/events';
import { SOURCE } from './placement-plan.ts';
import { type CaseState, placementsOf } from './placement-state.ts';

/** Days allowed on each clock. */
export interface ClockPolicy {
  'rescued-not-placed': number;
  'identified-not-returned': number;
}

export const DEFAULT_CLOCK_POLICY: ClockPolicy = {
  'rescued-not-placed': 15,
  'identified-not-returned': 30,
};

/** A clock that runs on a case: since when, until when, where. */
export interface RunningClock {
  clock: PlacementClock;
  since: string;
  dueAt: Date;
  limitDays: number;
  region: string;
}

const DAY = 86_400_000;

/** When the child was first identified (a confirmed DNA match, a police identification). */
export function identifiedAt(state: Pick<CaseState, 'facts'>): string | undefined {
  const times = [
    ...state.facts.dnaIdentifications.map((d) => d.confirmedAt),
    ...state.facts.policeIdentifications.map((p) => p.at),
  ];
  return times.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

/**
 * When the earliest rescued victim still without a placement was rescued: with victims, each
 * victim has its own placement, so the clock runs while any rescued victim has none; a case
 * recorded before victims runs it from its rescue until its one placement.
 */
function unplacedSince(state: Pick<CaseState, 'facts' | 'placement' | 'placements'>): string | undefined {
  const placements = placementsOf(state);
  const { victims, rescue } = state.facts;
  if (!victims) return rescue && placements.length === 0 ? rescue.rescuedAt : undefined;
  const placed = new Set(placements.map((p) => p.victimId));
  return victims
    .filter((v) => v.rescue && !placed.has(v.victimId))
    .map((v) => v.rescue!.rescuedAt)
    .sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

/**
 * The clocks running on a case (one of each per case): rescued and not yet placed (from the
 * earliest rescue of a victim not placed, see {@link unplacedSince}), identified and not
 * returned home (from the identification, until a current decision is a return to the family;
 * the identifications are the case's, so any victim's return stops it). A closed case, or one
 * whose region is unknown, runs none.
 */
export function runningClocks(
  state: Pick<CaseState, 'facts' | 'placement' | 'placements'>,
  policy: ClockPolicy,
): RunningClock[] {
  const { facts } = state;
  const region = facts.rescue?.region ?? facts.region;
  if (facts.closed || !region) return [];
  const clocks: RunningClock[] = [];
  const run = (clock: PlacementClock, since: string) =>
    clocks.push({
      clock,
      since,
      dueAt: new Date(Date.parse(since) + policy[clock] * DAY),
      limitDays: policy[clock],
      region,
    });
  const unplaced = unplacedSince(state);
  if (unplaced) run('rescued-not-placed', unplaced);
  const identified = identifiedAt(state);
  const returned = placementsOf(state).some((p) => p.revisions.at(-1)?.type === 'return-to-family');
  if (identified && !returned) run('identified-not-returned', identified);
  return clocks;
}

/** The clocks that ran out at `now` (at their moment, not a millisecond before), and the next moment to look. */
export function clocksDue(
  state: Pick<CaseState, 'facts' | 'placement' | 'placements'>,
  policy: ClockPolicy,
  now: Date,
): { due: RunningClock[]; next: Date | undefined } {
  const due: RunningClock[] = [];
  let next: Date | undefined;
  for (const c of runningClocks(state, policy)) {
    if (c.dueAt.getTime() <= now.getTime()) due.push(c);
    else if (!next || c.dueAt < next) next = c.dueAt;
  }
  return { due, next };
}

/** The earliest moment a clock of the case runs out (the index's entry), if one runs. */
export function firstClockAt(
  state: Pick<CaseState, 'facts' | 'placement' | 'placements'>,
  policy: ClockPolicy,
): Date | undefined {
  let first: Date | undefined;
  for (const c of runningClocks(state, policy)) if (!first || c.dueAt < first) first = c.dueAt;
  return first;
}

/** The `_id` of the claim that a case's clock was raised: once per case and clock. */
export function clockClaimId(clock: PlacementClock, caseId: string): string {
  return `${clock}:${caseId}`;
}

/** `homeward.placement.overdue` for one clock, its id derived from the case and the clock. */
export function placementOverdueEvent(caseId: string, c: RunningClock, now: Date): HomewardEvent {
  return createEvent(
    'homeward.placement.overdue',
    {
      caseId,
      clock: c.clock,
      since: c.since,
      limitDays: c.limitDays,
      detectedAt: now.toISOString(),
      region: c.region,
    },
    { source: SOURCE, subject: caseId, time: now, id: `${caseId}.${c.clock}.overdue` },
  ) as HomewardEvent;
}

/**
 * The clock on the special team (DESIGN, "One chief, three responsibilities"): a
 * child-trafficking case that still has no team some hours after it opened raises
 * `homeward.case.team-overdue`, once. Pure: what is due, when, and the event.
 */
import { type CaseKind, createEvent, type HomewardEvent } from '@homeward/events';
import type { CaseDoc } from './case.ts';
import { SOURCE } from './ids.ts';

/** The clock's settings: how long a case may wait for its team, and which kinds need one. */
export interface TeamClockPolicy {
  limitHours: number;
  kinds: readonly CaseKind[];
}

const HOUR = 3_600_000;

/** When the case's team becomes overdue, or undefined when the clock does not run (a team, closed, another kind). */
export function teamDeadline(
  doc: Pick<CaseDoc, 'kind' | 'openedAt' | 'team' | 'status'>,
  policy: TeamClockPolicy,
): Date | undefined {
  if (doc.team || doc.status === 'closed' || !policy.kinds.includes(doc.kind)) return undefined;
  return new Date(new Date(doc.openedAt).getTime() + policy.limitHours * HOUR);
}

/** Whether the clock ran out at `now` (at the deadline itself, not a millisecond before). */
export function teamOverdueAt(
  doc: Pick<CaseDoc, 'kind' | 'openedAt' | 'team' | 'status'>,
  policy: TeamClockPolicy,
  now: Date,
): boolean {
  const at = teamDeadline(doc, policy);
  return at !== undefined && now.getTime() >= at.getTime();
}

/** `homeward.case.team-overdue`, its id derived from the case (raised once). */
export function teamOverdueEvent(doc: CaseDoc, policy: TeamClockPolicy, now: Date): HomewardEvent {
  return createEvent(
    'homeward.case.team-overdue',
    {
      caseId: doc._id,
      kind: doc.kind,
      region: doc.region,
      openedAt: new Date(doc.openedAt).toISOString(),
      limitHours: policy.limitHours,
      detectedAt: now.toISOString(),
    },
    { source: SOURCE, subject: doc._id, time: now, id: `${doc._id}.team-overdue` },
  ) as HomewardEvent;
}

/** Parses `TEAM_REQUIRED_KINDS` (comma-separated case kinds). */
export function parseKinds(text: string, known: readonly CaseKind[]): CaseKind[] {
  const kinds = text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const unknown = kinds.filter((k) => !known.includes(k as CaseKind));
  if (unknown.length > 0) throw new Error(`TEAM_REQUIRED_KINDS: unknown case kinds ${unknown.join(', ')}`);
  return kinds as CaseKind[];
}

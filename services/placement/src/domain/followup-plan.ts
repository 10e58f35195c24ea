import { ageGroupOf, type FieldError, type HomewardEvent, type Role } from '@homeward/events';
import { type PlacementErrorKey, PlacementErrors } from '../errors.ts';
import { victimsOfFacts } from './case-facts.ts';
import { isOverdueAt, overdueFrom } from './dates.ts';
import { type FollowupOutcome, missingOutcomeFields, outcomeCode, ownerOf } from './followup-policy.ts';
import { eventIds } from './ids.ts';
import { placementEvent } from './placement-plan.ts';
import { type CaseState, type Followup, placementsOf } from './placement-state.ts';

/** Why a completion is refused. */
export interface CompletionRefusal {
  error: Extract<
    PlacementErrorKey,
    'followupNotFound' | 'followupCompleted' | 'followupCancelled' | 'outcomeIncomplete' | 'notFollowupOwner'
  >;
  /** The stable problem code of that error. */
  code: string;
  detail: string;
  errors?: FieldError[];
}

/** The outcome of {@link planCompletion}. */
export type CompletionPlan =
  | { ok: false; refusal: CompletionRefusal }
  | { ok: true; done: Followup; followups: Followup[]; event: HomewardEvent };

/**
 * Completes a scheduled follow-up with what was done: refused when the follow-up is not the
 * case's, when the caller's role does not answer for it (only the owner completes: schools,
 * hospitals, human resources and social security, civil affairs, the women's federation, the
 * disabled persons' federation, by type), when it was completed or cancelled already, or when
 * the outcome lacks what its type needs (see {@link missingOutcomeFields}).
 */
export function planCompletion(
  state: CaseState,
  followupId: string,
  outcome: FollowupOutcome,
  now: Date,
  by: { agencyId: string; role: Role },
): CompletionPlan {
  const { agencyId } = by;
  const f = state.followups.find((x) => x.followupId === followupId);
  if (!f)
    return {
      ok: false,
      refusal: {
        error: 'followupNotFound',
        code: PlacementErrors.followupNotFound.code,
        detail: `no follow-up "${followupId}"`,
      },
    };
  const owner = ownerOf(f.type);
  if (by.role !== owner)
    return {
      ok: false,
      refusal: {
        error: 'notFollowupOwner',
        code: PlacementErrors.notFollowupOwner.code,
        detail: `a ${f.type} follow-up is completed by ${owner}, not by ${by.role}`,
      },
    };
  if (f.status === 'completed')
    return {
      ok: false,
      refusal: {
        error: 'followupCompleted',
        code: PlacementErrors.followupCompleted.code,
        detail: `follow-up "${followupId}" was completed at ${f.completedAt}`,
      },
    };
  if (f.status === 'cancelled')
    return {
      ok: false,
      refusal: {
        error: 'followupCancelled',
        code: PlacementErrors.followupCancelled.code,
        detail: `follow-up "${followupId}" was cancelled by revision ${f.cancelledByRevision}`,
      },
    };
  const missing = missingOutcomeFields(f.type, outcome);
  if (missing.length > 0)
    return {
      ok: false,
      refusal: {
        error: 'outcomeIncomplete',
        code: PlacementErrors.outcomeIncomplete.code,
        detail: 'the outcome does not say what was done',
        errors: missing,
      },
    };
  const completedAt = now.toISOString();
  const done: Followup = {
    ...f,
    status: 'completed',
    completedAt,
    completedBy: { agencyId, role: by.role },
    outcome,
  };
  const followups = state.followups.map((x) => (x.followupId === followupId ? done : x));
  const event = placementEvent(
    'homeward.followup.completed',
    eventIds.completed(followupId),
    state._id,
    now,
    {
      followupId,
      caseId: state._id,
      type: f.type,
      completedAt,
      outcome: outcomeCode(f.type),
      owner,
      ...victimTally(state, f),
    },
  );
  return { ok: true, done, followups, event };
}

/**
 * Who a follow-up is for, as counts need it: the victim, its sex and its age group on the
 * decision date of the placement's current revision. Empty for a follow-up of a case placed
 * before victims existed (its counts come from the case).
 */
export function victimTally(state: CaseState, f: Followup) {
  if (!f.victimId) return {};
  const victim = victimsOfFacts(state._id, state.facts).find((v) => v.victimId === f.victimId);
  const placement = placementsOf(state).find((p) => p.placementId === f.placementId);
  const age = placement?.revisions.at(-1)?.ageOnDecisionDate;
  return {
    victimId: f.victimId,
    ...(victim ? { sex: victim.sex } : {}),
    ...(age !== undefined ? { ageGroup: ageGroupOf(age) } : {}),
  };
}

/** Whether a follow-up is scheduled and past its due date at `now`. */
export function isOverdue(f: Followup, now: Date, utcOffsetMinutes: number): boolean {
  return f.status === 'scheduled' && isOverdueAt(f.dueDate, now, utcOffsetMinutes);
}

/** The follow-ups to raise as overdue at `now`: scheduled, past due, not raised yet. */
export function dueForRaising(
  followups: readonly Followup[],
  now: Date,
  utcOffsetMinutes: number,
): Followup[] {
  return followups.filter((f) => !f.overdueRaisedAt && isOverdue(f, now, utcOffsetMinutes));
}

/** The `homeward.followup.overdue` of a follow-up, detected at `now`. */
export function overdueEvent(caseId: string, f: Followup, now: Date): HomewardEvent {
  return placementEvent('homeward.followup.overdue', eventIds.overdue(f.followupId), caseId, now, {
    followupId: f.followupId,
    caseId,
    type: f.type,
    dueDate: f.dueDate,
    detectedAt: now.toISOString(),
    owner: ownerOf(f.type),
    ...(f.victimId ? { victimId: f.victimId } : {}),
  });
}

/** The follow-ups with `overdueRaisedAt` set from `raisedAt` (follow-up id → when it was raised). */
export function withRaised(
  followups: readonly Followup[],
  raisedAt: ReadonlyMap<string, string>,
): Followup[] {
  return followups.map((f) => {
    const at = raisedAt.get(f.followupId);
    return at ? { ...f, overdueRaisedAt: at } : f;
  });
}

/** When the next scheduled, not yet raised follow-up of these becomes overdue (undefined: none). */
export function nextOverdueAt(followups: readonly Followup[], utcOffsetMinutes: number): Date | undefined {
  let next: Date | undefined;
  for (const f of followups) {
    if (f.status !== 'scheduled' || f.overdueRaisedAt) continue;
    const at = overdueFrom(f.dueDate, utcOffsetMinutes);
    if (!next || at < next) next = at;
  }
  return next;
}

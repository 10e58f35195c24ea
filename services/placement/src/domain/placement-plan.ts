import { createEvent, type FieldError, type HomewardEvent } from '@homeward/events';
import { type PlacementErrorKey, PlacementErrors } from '../errors.ts';
import type { ParentRecord } from './case-facts.ts';
import { dueDateFor, type FollowupPolicy, planFollowups, requiredFollowups } from './followup-policy.ts';
import { eventIds, newFollowupId, newPlacementId } from './ids.ts';
import { checkPlacement, type PlacementRequest, type RuleViolation } from './placement-rules.ts';
import type { CaseState, Followup, PlacementRevision, PlacementState } from './placement-state.ts';

/** The `source` of every event placement publishes. */
export const SOURCE = 'homeward/placement';

/** A decision or a revision as civil affairs submit it. */
export interface DecisionInput extends PlacementRequest {
  caseId: string;
  handoverPlan: string;
  reason?: string;
  /** Set by `PUT /v1/placements/{placementId}`: the revision must be of this placement. */
  placementId?: string;
}

/** What a plan needs besides the case: the moment, who decides, the policy, and id makers. */
export interface PlanContext {
  now: Date;
  agencyId: string;
  policy: FollowupPolicy;
  utcOffsetMinutes: number;
  /** New ids (random by default; tests pass fixed ones). */
  ids?: { placement: () => string; followup: () => string };
  /** The identified family (see {@link familyOf}): who a return to the family may go to. */
  family?: readonly ParentRecord[];
}

/** Why a plan refuses: the catalogue's error, the detail for this occurrence, field errors. */
export interface Refusal {
  error: Extract<PlacementErrorKey, 'placementNotFound' | 'revisionReasonRequired'> | RuleViolation['error'];
  /** The stable problem code of that error. */
  code: string;
  detail: string;
  errors?: FieldError[];
}

/** The outcome of {@link planDecision}: what to write and publish, or why not. */
export type DecisionPlan =
  | { ok: false; refusal: Refusal }
  | {
      ok: true;
      /** True for the first decision of the case, false for a revision. */
      created: boolean;
      placement: PlacementState;
      /** Every follow-up of the case after the decision (cancelled ones marked, new ones added). */
      followups: Followup[];
      scheduled: Followup[];
      cancelledIds: string[];
      /** `placement.decided`, then one `followup.scheduled` per new follow-up. */
      events: HomewardEvent[];
    };

const defaultIds = { placement: newPlacementId, followup: newFollowupId };

/**
 * Decides (first time) or revises (with a reason) the placement of a case, without I/O: the
 * revision must name the case's placement, a placed case needs a reason to change, the rules
 * of {@link checkPlacement} hold, and the follow-ups are planned by the age on the decision
 * date (see {@link planFollowups}). The region is the rescue's (where the child is now).
 */
export function planDecision(state: CaseState, input: DecisionInput, ctx: PlanContext): DecisionPlan {
  const existing = state.placement;
  if (input.placementId !== undefined && existing?.placementId !== input.placementId)
    return refuse('placementNotFound', `no placement "${input.placementId}"`);
  if (existing && !input.reason)
    return refuse(
      'revisionReasonRequired',
      `case "${input.caseId}" is placed already (revision ${existing.revisions.length}); a revision states its reason`,
    );
  const outcome = checkPlacement(state.facts, input, ctx.utcOffsetMinutes, ctx.family ?? []);
  if (!outcome.ok) return { ok: false, refusal: outcome.violation };

  const ids = ctx.ids ?? defaultIds;
  const decidedAt = ctx.now.toISOString();
  const placementId = existing?.placementId ?? ids.placement();
  // The rules passed, so the case has a rescue: the child is placed where it was rescued.
  const region = state.facts.rescue?.region;
  if (!region) throw new Error(`case ${state._id} has a rescue without a region`);
  const revision = (existing?.revisions.length ?? 0) + 1;
  const plan = planFollowups(state.followups, requiredFollowups(outcome.age, input.type));

  const scheduled: Followup[] = plan.schedule.map((type) => ({
    followupId: ids.followup(),
    placementId,
    type,
    status: 'scheduled',
    dueDate: dueDateFor(type, input.decisionDate, ctx.policy),
    region,
    scheduledAt: decidedAt,
    scheduledByRevision: revision,
  }));
  const cancelledIds = plan.cancel.map((f) => f.followupId);
  const followups: Followup[] = [
    ...state.followups.map((f) =>
      cancelledIds.includes(f.followupId)
        ? { ...f, status: 'cancelled' as const, cancelledAt: decidedAt, cancelledByRevision: revision }
        : f,
    ),
    ...scheduled,
  ];
  const rev: PlacementRevision = {
    revision,
    type: input.type,
    decisionDate: input.decisionDate,
    handoverPlan: input.handoverPlan,
    decidedAt,
    decidedBy: { agencyId: ctx.agencyId },
    ageOnDecisionDate: outcome.age,
    ageBasis: outcome.ageBasis,
    followupsScheduled: scheduled.map((f) => f.followupId),
    followupsCancelled: cancelledIds,
    ...(input.guardian ? { guardian: input.guardian } : {}),
    ...(input.institution ? { institution: input.institution } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
    ...(input.birthDate ? { birthDate: input.birthDate } : {}),
    ...(input.policeReason ? { policeReason: input.policeReason } : {}),
  };
  const placement = { placementId, region, revisions: [...(existing?.revisions ?? []), rev] };
  const events: HomewardEvent[] = [
    placementEvent(
      'homeward.placement.decided',
      eventIds.decided(placementId, revision),
      state._id,
      ctx.now,
      {
        placementId,
        caseId: state._id,
        type: input.type,
        decisionDate: input.decisionDate,
        decidedAt,
        revision,
        region,
        ...(input.reason ? { reason: input.reason } : {}),
      },
    ),
    ...scheduled.map((f) =>
      placementEvent('homeward.followup.scheduled', eventIds.scheduled(f.followupId), state._id, ctx.now, {
        followupId: f.followupId,
        caseId: state._id,
        placementId,
        type: f.type,
        dueDate: f.dueDate,
        region,
      }),
    ),
  ];
  return { ok: true, created: !existing, placement, followups, scheduled, cancelledIds, events };
}

/** An event of `placement.events.v1` about a case, its id derived from what it announces. */
export function placementEvent<T extends Parameters<typeof createEvent>[0]>(
  type: T,
  id: string,
  caseId: string,
  now: Date,
  data: Parameters<typeof createEvent<T>>[1],
): HomewardEvent {
  return createEvent(type, data, { source: SOURCE, subject: caseId, id, time: now }) as HomewardEvent;
}

function refuse(error: Refusal['error'], detail: string): DecisionPlan {
  return { ok: false, refusal: { error, code: PlacementErrors[error].code, detail } };
}

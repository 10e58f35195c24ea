import {
  type AgeGroup,
  ageGroupOf,
  createEvent,
  type FieldError,
  type HomewardEvent,
  victimIdFor,
} from '@homeward/events';
import { type PlacementErrorKey, PlacementErrors } from '../errors.ts';
import { type ParentRecord, type VictimFacts, victimsOfFacts } from './case-facts.ts';
import {
  dueDateFor,
  type FollowupPolicy,
  ownerOf,
  planFollowups,
  requiredFollowups,
} from './followup-policy.ts';
import { eventIds, newFollowupId, newPlacementId } from './ids.ts';
import {
  checkPlacement,
  type PlacedVictim,
  type PlacementRequest,
  type RuleViolation,
} from './placement-rules.ts';
import {
  type CaseState,
  type Followup,
  type PlacementRevision,
  type PlacementState,
  placementsOf,
} from './placement-state.ts';

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
  error:
    | Extract<
        PlacementErrorKey,
        'placementNotFound' | 'revisionReasonRequired' | 'victimNotFound' | 'victimRequired'
      >
    | RuleViolation['error'];
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
      /** Every placement of the case after the decision (one per placed victim). */
      placements: PlacementState[];
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
  const all = placementsOf(state);
  const byId =
    input.placementId !== undefined ? all.find((p) => p.placementId === input.placementId) : undefined;
  if (input.placementId !== undefined && !byId)
    return refuse('placementNotFound', `no placement "${input.placementId}"`);
  const chosen = chooseVictim(state, byId ? victimOfPlacement(state, byId) : input.victimId);
  if ('refusal' in chosen) return chosen.refusal;
  const victim = chosen.victim;
  const existing =
    byId ?? all.find((p) => (victim ? victimOfPlacement(state, p) === victim.facts.victimId : !p.victimId));
  if (existing && !input.reason)
    return refuse(
      'revisionReasonRequired',
      `${victim ? `victim "${victim.facts.victimId}"` : `case "${input.caseId}"`} is placed already (revision ${existing.revisions.length}); a revision states its reason`,
    );
  const outcome = checkPlacement(state.facts, input, ctx.utcOffsetMinutes, ctx.family ?? [], victim);
  if (!outcome.ok) return { ok: false, refusal: outcome.violation };

  const ids = ctx.ids ?? defaultIds;
  const decidedAt = ctx.now.toISOString();
  const placementId = existing?.placementId ?? ids.placement();
  const victimId = existing?.victimId ?? victim?.facts.victimId;
  // The rules passed, so the victim (or the case) has a rescue: placed where it was rescued.
  const region = victim?.facts.rescue?.region ?? state.facts.rescue?.region;
  if (!region) throw new Error(`case ${state._id} has a rescue without a region`);
  const revision = (existing?.revisions.length ?? 0) + 1;
  const disabled = Boolean(input.disability ?? victim?.facts.disability);
  const subject = victim
    ? {
        category: victim.facts.category,
        sex: victim.facts.sex,
        disabled,
        ...(input.plan ? { plan: input.plan } : {}),
      }
    : undefined;
  const own = state.followups.filter((f) => f.placementId === placementId);
  const plan = planFollowups(own, requiredFollowups(outcome.age, input.type, subject));
  const ageGroup: AgeGroup = ageGroupOf(outcome.age);
  const tally = victim ? { victimId: victim.facts.victimId, sex: victim.facts.sex, ageGroup } : {};

  const scheduled: Followup[] = plan.schedule.map((type) => ({
    followupId: ids.followup(),
    placementId,
    ...(victimId ? { victimId } : {}),
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
    ...(input.plan ? { plan: input.plan } : {}),
    ...(input.disabilityConsideration ? { disabilityConsideration: input.disabilityConsideration } : {}),
  };
  const placement: PlacementState = {
    placementId,
    ...(victimId ? { victimId } : {}),
    region,
    revisions: [...(existing?.revisions ?? []), rev],
  };
  const placements = existing
    ? all.map((p) => (p.placementId === placementId ? placement : p))
    : [...all, placement];
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
        ...(victim ? { ...tally, category: victim.facts.category, disability: disabled } : {}),
        ...(input.plan ? { plan: input.plan } : {}),
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
        owner: ownerOf(f.type),
        ...tally,
      }),
    ),
  ];
  return { ok: true, created: !existing, placement, placements, followups, scheduled, cancelledIds, events };
}

/**
 * The victim a placement is of: its own, or for one stored before victims existed, the case's
 * victim 1 when the case has victims (the child it was about), else none.
 */
function victimOfPlacement(state: CaseState, p: PlacementState): string | undefined {
  if (p.victimId) return p.victimId;
  const first = victimIdFor(state._id, 1);
  return victimsOfFacts(state._id, state.facts).some((v) => v.victimId === first) ? first : undefined;
}

/**
 * The victim a decision places: the one named, or the case's only victim. A case without
 * victims (a suspected-trafficking case from before victims existed) is placed as the case.
 */
function chooseVictim(
  state: CaseState,
  victimId: string | undefined,
): { victim: PlacedVictim | undefined } | { refusal: DecisionPlan } {
  const victims = victimsOfFacts(state._id, state.facts);
  let v: VictimFacts | undefined;
  if (victimId !== undefined) {
    v = victims.find((x) => x.victimId === victimId);
    if (!v) return { refusal: refuse('victimNotFound', `case "${state._id}" has no victim "${victimId}"`) };
  } else if (victims.length > 1) {
    return {
      refusal: refuse(
        'victimRequired',
        `case "${state._id}" has ${victims.length} victims: name the one placed (victimId)`,
      ),
    };
  } else v = victims[0];
  if (!v) return { victim: undefined };
  const onlyChild = victims.filter((x) => x.category === 'child').length <= 1;
  return { victim: { facts: v, onlyChild } };
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

import type { FieldError } from '@homeward/events';
import type { UpdateOutcome } from '@homeward/persistence';
import {
  type Clock,
  type DueIndex,
  ensureInScope,
  inScope,
  type Logger,
  NATIONAL_REGION,
  type Principal,
  type Scoped,
} from '@homeward/service-kit';
import { type CaseFacts, victimsOfFacts } from './domain/case-facts.ts';
import {
  type ClockPolicy,
  clockClaimId,
  clocksDue,
  firstClockAt,
  placementOverdueEvent,
  type RunningClock,
} from './domain/clocks.ts';
import {
  dueForRaising,
  isOverdue,
  nextOverdueAt,
  overdueEvent,
  planCompletion,
  withRaised,
} from './domain/followup-plan.ts';
import type { FollowupOutcome, FollowupPolicy } from './domain/followup-policy.ts';
import { type DecisionInput, planDecision } from './domain/placement-plan.ts';
import { familyOf, partyErrors } from './domain/placement-rules.ts';
import { placementsOf } from './domain/placement-state.ts';
import { type PlacementErrorKey, PlacementErrors } from './errors.ts';
import type { CaseDoc, CaseStore, Followup } from './store/case-store.ts';

export type { DecisionInput } from './domain/placement-plan.ts';

export interface PlacementServiceDeps {
  store: CaseStore;
  /** Case id → when its next open follow-up becomes overdue. */
  index: DueIndex;
  clock: Clock;
  logger: Logger;
  policy: FollowupPolicy;
  utcOffsetMinutes: number;
  /** Case id → when its next clock (rescued not placed, identified not returned) runs out. */
  clockIndex: DueIndex;
  clockPolicy: ClockPolicy;
}

/**
 * Placement decisions, follow-up completion and the overdue raise: load the case, let the pure
 * plans of `domain/` decide, and write the next state with its events in one update under the
 * case's lease (the persistence rule), which resolves once the events are published.
 */
export class PlacementService {
  constructor(private readonly deps: PlacementServiceDeps) {}

  /** Decides (first time) or revises (with a reason) the placement of a case. */
  async decide(
    input: DecisionInput,
    principal: Principal,
  ): Promise<{ doc: CaseDoc; created: boolean; placementId: string }> {
    const party = partyErrors(input);
    if (party.length > 0)
      throw PlacementErrors.invalidParty.error(
        'the guardian or institution does not fit the placement type',
        {
          errors: party,
        },
      );
    const { store } = this.deps;
    const { doc, result } = written(
      await store.cases.update(
        input.caseId,
        async (current) => {
          // A case outside the caller's region answers as one placement does not know.
          if (!reaches(principal, current))
            throw PlacementErrors.caseNotFound.error(`no case "${input.caseId}" is known to placement`);
          const plan = planDecision(current, input, {
            family: familyOf(current.facts, await this.parentsCases(current)),
            now: this.deps.clock.now(),
            agencyId: principal.agencyId,
            policy: this.deps.policy,
            utcOffsetMinutes: this.deps.utcOffsetMinutes,
          });
          if (!plan.ok) throw refusalError(plan.refusal);
          // The ids must resolve to the case before anyone can learn them (a lookup left by a
          // write that then fails is harmless: its id is never published).
          if (plan.created)
            await store.addLookup({
              _id: plan.placement.placementId,
              caseId: current._id,
              kind: 'placement',
            });
          for (const f of plan.scheduled)
            await store.addLookup({ _id: f.followupId, caseId: current._id, kind: 'followup' });
          const { placements, followups } = plan;
          // Every placement is kept in `placements` (one per victim); a single placement stored
          // before victims existed moves there with this write.
          const { placement: _single, ...rest } = current;
          return {
            doc: { ...rest, version: current.version + 1, placements, followups },
            events: plan.events,
            result: plan,
          };
        },
        {
          notFound: () =>
            PlacementErrors.caseNotFound.error(`no case "${input.caseId}" is known to placement`),
        },
      ),
    );
    await this.deps.index.bringForward(doc._id, this.nextOverdueAt(doc.followups));
    await this.touchClocks(doc);
    this.deps.logger.info(
      {
        caseId: doc._id,
        placementId: result.placement.placementId,
        revision: result.placement.revisions.length,
        type: input.type,
        scheduled: result.scheduled.length,
        cancelled: result.cancelledIds.length,
        agencyId: principal.agencyId,
      },
      'placement decided',
    );
    return { doc, created: result.created, placementId: result.placement.placementId };
  }

  /**
   * The facts of the parents' cases a confirmed match named (the missing child's, where the
   * family is recorded), read by `_id`; the case's own facts when it is its own parents' case.
   */
  private async parentsCases(current: CaseDoc): Promise<Map<string, CaseFacts | null>> {
    const ids = new Set(
      current.facts.dnaIdentifications.flatMap((d) => (d.parentsCaseId ? [d.parentsCaseId] : [])),
    );
    const out = new Map<string, CaseFacts | null>();
    for (const id of ids)
      out.set(id, id === current._id ? current.facts : ((await this.deps.store.get(id))?.facts ?? null));
    return out;
  }

  /** A case's placement for a reader: one outside the caller's region answers 404, as none. */
  async placementFor(caseId: string, principal: Principal): Promise<CaseDoc> {
    const doc = await this.deps.store.get(caseId);
    if (!doc || placementsOf(doc).length === 0 || !reaches(principal, doc))
      throw PlacementErrors.placementNotFound.error(`case "${caseId}" has no placement`);
    return doc;
  }

  /**
   * A case as its victims' view reads it: in scope when the caller's region contains the case's,
   * or where one of its victims was rescued or is placed; otherwise 404, as an unknown case.
   */
  async victimsCase(caseId: string, principal: Principal): Promise<CaseDoc> {
    return ensureInScope(principal, await this.deps.store.get(caseId), caseRegions, () =>
      PlacementErrors.caseNotFound.error(`no case "${caseId}" is known to placement`),
    );
  }

  /** The case of a placement id (for `PUT /v1/placements/{placementId}`). */
  async caseOfPlacement(placementId: string): Promise<string> {
    const caseId = await this.deps.store.caseOf(placementId, 'placement');
    if (!caseId) throw PlacementErrors.placementNotFound.error(`no placement "${placementId}"`);
    return caseId;
  }

  /** Records what was done for a follow-up and publishes `homeward.followup.completed`. */
  async complete(
    followupId: string,
    outcome: FollowupOutcome,
    principal: Principal,
  ): Promise<{ caseId: string; followup: Followup }> {
    const notFound = () => PlacementErrors.followupNotFound.error(`no follow-up "${followupId}"`);
    const caseId = await this.deps.store.caseOf(followupId, 'followup');
    if (!caseId) throw notFound();
    const { result: done } = written(
      await this.deps.store.cases.update(
        caseId,
        (current) => {
          if (!reaches(principal, current)) throw notFound();
          const plan = planCompletion(current, followupId, outcome, this.deps.clock.now(), {
            agencyId: principal.agencyId,
            role: principal.role,
          });
          if (!plan.ok) throw refusalError(plan.refusal);
          return {
            doc: { ...current, version: current.version + 1, followups: plan.followups },
            events: [plan.event],
            result: plan.done,
          };
        },
        { notFound },
      ),
    );
    this.deps.logger.info(
      { caseId, followupId, type: done.type, agencyId: principal.agencyId },
      'follow-up completed',
    );
    return { caseId, followup: done };
  }

  /**
   * Raises `homeward.followup.overdue` for every follow-up of the case that is past its due date
   * and not yet raised, and returns how many this call raised. Under the case's lease (so a
   * revision cannot cancel a follow-up in between), each event rides in an overdue claim
   * inserted under the follow-up's id (a fact: a taken `_id` fails atomically), so however many
   * checkers race, even one whose lease expired, and across restarts, each follow-up is raised
   * once; a claim found (a crash or another checker came first) keeps its own time. The same
   * update sets `overdueRaisedAt`; then the case's entry in the overdue index is set to its next
   * moment (or removed).
   */
  async raiseOverdue(caseId: string): Promise<number> {
    const { store, index } = this.deps;
    if (!(await store.get(caseId))) {
      await index.set(caseId, undefined);
      return 0;
    }
    const outcome = await store.cases.update(caseId, async (current) => {
      const now = this.deps.clock.now();
      const raisedAt = new Map<string, string>();
      let raised = 0;
      for (const f of dueForRaising(current.followups, now, this.deps.utcOffsetMinutes)) {
        const detectedAt = now.toISOString();
        const claim = { _id: f.followupId, caseId, detectedAt };
        const claimed = await store.claimOverdue(claim, [overdueEvent(caseId, f, now)]);
        if (claimed) raised++;
        const at = claimed ? detectedAt : (await store.findOverdueClaim(f.followupId))?.detectedAt;
        raisedAt.set(f.followupId, at ?? detectedAt);
      }
      if (raisedAt.size === 0) return null;
      const followups = withRaised(current.followups, raisedAt);
      return { doc: { ...current, version: current.version + 1, followups }, result: { raised, raisedAt } };
    });
    if (outcome.changed)
      this.deps.logger.info(
        { caseId, followupIds: [...outcome.result.raisedAt.keys()], raised: outcome.result.raised },
        'follow-ups overdue',
      );
    // Set the exact next moment, then bring it forward from a fresh read: a decision written
    // after our update brings its own entry forward after its write, and one written before the
    // fresh read is in it, so the index never ends later than the truth.
    await index.set(caseId, this.nextOverdueAt(outcome.doc.followups));
    const fresh = await store.get(caseId);
    if (fresh) await index.bringForward(caseId, this.nextOverdueAt(fresh.followups));
    return outcome.changed ? outcome.result.raised : 0;
  }

  /** After the case changed: its next clock moment into the index (only ever earlier). */
  async touchClocks(doc: Pick<CaseDoc, '_id' | 'facts' | 'placement'>): Promise<void> {
    await this.deps.clockIndex.bringForward(doc._id, firstClockAt(doc, this.deps.clockPolicy));
  }

  /**
   * The clocks of a case: each that ran out raises `homeward.placement.overdue` in the outbox of
   * a claim whose `_id` is `<clock>:<caseId>` (a taken `_id` fails atomically: any number of
   * checkers, and restarts, raise it once); then the case's entry is set to its next moment or
   * removed. Returns how many this call raised.
   */
  async raiseClocks(caseId: string): Promise<number> {
    const { store, clockIndex, clockPolicy } = this.deps;
    const doc = await store.get(caseId);
    if (!doc) {
      await clockIndex.set(caseId, null);
      return 0;
    }
    const now = this.deps.clock.now();
    const { due, next } = clocksDue(doc, clockPolicy, now);
    let raised = 0;
    for (const c of due) {
      const claim = { _id: clockClaimId(c.clock, caseId), caseId, detectedAt: now.toISOString() };
      if (await store.claimOverdue(claim, [placementOverdueEvent(caseId, c, now)])) raised++;
    }
    await clockIndex.set(caseId, next ?? null);
    if (raised > 0)
      this.deps.logger.info({ caseId, clocks: due.map((c) => c.clock), raised }, 'placement clock ran out');
    return raised;
  }

  /** Refills the clock index from MongoDB (at start): one full read of the cases, once. */
  async rebuildClocks(): Promise<number> {
    const entries: Array<[string, Date]> = [];
    for (const doc of await this.deps.store.all()) {
      const at = firstClockAt(doc, this.deps.clockPolicy);
      if (at) entries.push([doc._id, at]);
    }
    await this.deps.clockIndex.bringForwardAll(entries);
    return entries.length;
  }

  /**
   * The clocks that ran out on cases in the caller's scope (a listing: reads every case; the
   * region is derived, the rescue's or else the case's, so the scope is checked here).
   */
  async overdueClocks(caller: Scoped): Promise<Array<RunningClock & { caseId: string }>> {
    const now = this.deps.clock.now();
    const out: Array<RunningClock & { caseId: string }> = [];
    for (const doc of await this.deps.store.all())
      for (const c of clocksDue(doc, this.deps.clockPolicy, now).due)
        if (inScope(caller, c.region)) out.push({ ...c, caseId: doc._id });
    return out.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.caseId.localeCompare(b.caseId));
  }

  /** When the next open, not yet raised follow-up of these becomes overdue. */
  nextOverdueAt(followups: readonly Followup[]): Date | undefined {
    return nextOverdueAt(followups, this.deps.utcOffsetMinutes);
  }

  /** Whether a scheduled follow-up is past its due date now. */
  isOverdue(f: Followup): boolean {
    return isOverdue(f, this.deps.clock.now(), this.deps.utcOffsetMinutes);
  }
}

/** The outcome of an update whose decision always writes (it throws to refuse). */
function written<T, R>(outcome: UpdateOutcome<T, R>): { doc: T; result: R } {
  if (!outcome.changed) throw new Error('a decision that always writes wrote nothing');
  return outcome;
}

/** The problem a plan's refusal answers with. */
function refusalError(r: { error: PlacementErrorKey; detail: string; errors?: FieldError[] }) {
  return PlacementErrors[r.error].error(r.detail, r.errors ? { errors: r.errors } : {});
}

/**
 * Does the caller's region contain the case's (the region of its `case.opened`)? A case whose
 * region placement has not learnt yet is reached by national callers only.
 */
/** The regions a case lies in for placement: its own, its victims' rescues, its placements. */
export function caseRegions(doc: CaseDoc): string[] {
  return [
    ...(doc.facts.region ? [doc.facts.region] : []),
    ...victimsOfFacts(doc._id, doc.facts).flatMap((v) => (v.rescue ? [v.rescue.region] : [])),
    ...placementsOf(doc).map((p) => p.region),
  ];
}

export function reaches(principal: Principal, doc: Pick<CaseDoc, 'facts'>): boolean {
  const region = doc.facts.region;
  return region === undefined ? principal.region === NATIONAL_REGION : inScope(principal, region);
}

import { createEvent, type HomewardEvent } from '@homeward/events';
import { type OutboxRelay, outboxInsert } from '@homeward/messaging';
import {
  AppError,
  type Clock,
  ConflictError,
  InputError,
  type Logger,
  NotFoundError,
  type Principal,
  type RedisLocks,
  RuleViolationError,
} from '@homeward/service-kit';
import type { Collection, Document } from 'mongodb';
import { isOverdueAt, overdueFrom } from './domain/dates.ts';
import {
  dueDateFor,
  type FollowupOutcome,
  type FollowupPolicy,
  missingOutcomeFields,
  outcomeText,
  planFollowups,
  requiredFollowups,
} from './domain/followup-policy.ts';
import { eventIds, newFollowupId, newPlacementId } from './domain/ids.ts';
import { checkPlacement, type PlacementRequest, partyErrors } from './domain/placement-rules.ts';
import type { CaseDoc, CaseStore, Followup, PlacementRevision } from './store/case-store.ts';
import type { OverdueIndex } from './store/overdue-index.ts';

export const SOURCE = 'homeward/placement';

/** Compare-and-set attempts before a write gives up (only under heavy contention on one case). */
const CAS_ATTEMPTS = 8;

export interface DecisionInput extends PlacementRequest {
  caseId: string;
  handoverPlan: string;
  reason?: string;
  /** Set by `PUT /v1/placements/{placementId}`: the revision must be of this placement. */
  placementId?: string;
}

export interface PlacementsDeps {
  store: CaseStore;
  relay: OutboxRelay;
  index: OverdueIndex;
  locks: RedisLocks;
  clock: Clock;
  logger: Logger;
  policy: FollowupPolicy;
  utcOffsetMinutes: number;
}

/**
 * Placement decisions, follow-up completion and the overdue check. Every write holds the case's
 * lease (see {@link RedisLocks}), reads the case by `_id`, applies the pure rules, and writes the
 * new state with its events in one update guarded by the case's version (a second guard, which
 * holds on MongoDB), then waits for the relay to publish before letting go.
 */
export class Placements {
  constructor(private readonly deps: PlacementsDeps) {}

  /** Decides (first time) or revises (with a reason) the placement of a case. */
  async decide(input: DecisionInput, principal: Principal): Promise<{ doc: CaseDoc; created: boolean }> {
    const party = partyErrors(input);
    if (party.length > 0)
      throw new InputError(
        'the guardian or institution does not fit the placement type',
        party,
        'PLACEMENT_ERR_INVALID_PARTY',
      );
    return this.deps.locks.withLock(input.caseId, () => this.decideLocked(input, principal));
  }

  private async decideLocked(
    input: DecisionInput,
    principal: Principal,
  ): Promise<{ doc: CaseDoc; created: boolean }> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const doc = await this.deps.store.get(input.caseId);
      if (!doc)
        throw new NotFoundError(
          `no case "${input.caseId}" is known to placement`,
          'PLACEMENT_ERR_CASE_NOT_FOUND',
        );
      const existing = doc.placement;
      if (input.placementId !== undefined && existing?.placementId !== input.placementId)
        throw new NotFoundError(`no placement "${input.placementId}"`, 'PLACEMENT_ERR_PLACEMENT_NOT_FOUND');
      if (existing && !input.reason)
        throw new ConflictError(
          `case "${input.caseId}" is placed already (revision ${existing.revisions.length}); a revision states its reason`,
          'PLACEMENT_ERR_REVISION_REASON_REQUIRED',
        );
      const outcome = checkPlacement(doc.facts, input, this.deps.utcOffsetMinutes);
      if (!outcome.ok)
        throw new RuleViolationError(
          outcome.violation.detail,
          outcome.violation.code,
          outcome.violation.errors,
        );

      const now = this.deps.clock.now();
      const decidedAt = now.toISOString();
      const placementId = existing?.placementId ?? newPlacementId();
      const region = doc.facts.rescue?.region ?? doc.facts.region;
      if (!region) throw new Error(`case ${doc._id} has a rescue without a region`);
      const revision = (existing?.revisions.length ?? 0) + 1;
      const plan = planFollowups(doc.followups, requiredFollowups(outcome.age, input.type));

      const scheduled: Followup[] = plan.schedule.map((type) => ({
        followupId: newFollowupId(),
        placementId,
        type,
        status: 'scheduled',
        dueDate: dueDateFor(type, input.decisionDate, this.deps.policy),
        region,
        scheduledAt: decidedAt,
        scheduledByRevision: revision,
      }));
      const cancelledIds = new Set(plan.cancel.map((f) => f.followupId));
      const followups: Followup[] = [
        ...doc.followups.map((f) =>
          cancelledIds.has(f.followupId)
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
        decidedBy: { agencyId: principal.agencyId },
        ageOnDecisionDate: outcome.age,
        ageBasis: outcome.ageBasis,
        followupsScheduled: scheduled.map((f) => f.followupId),
        followupsCancelled: [...cancelledIds],
        ...(input.guardian ? { guardian: input.guardian } : {}),
        ...(input.institution ? { institution: input.institution } : {}),
        ...(input.reason ? { reason: input.reason } : {}),
        ...(input.birthDate ? { birthDate: input.birthDate } : {}),
      };
      const placement = { placementId, region, revisions: [...(existing?.revisions ?? []), rev] };
      const events: HomewardEvent[] = [
        this.event('homeward.placement.decided', eventIds.decided(placementId, revision), doc._id, now, {
          placementId,
          caseId: doc._id,
          type: input.type,
          decisionDate: input.decisionDate,
          decidedAt,
          revision,
          region,
          ...(input.reason ? { reason: input.reason } : {}),
        }),
        ...scheduled.map((f) =>
          this.event('homeward.followup.scheduled', eventIds.scheduled(f.followupId), doc._id, now, {
            followupId: f.followupId,
            caseId: doc._id,
            placementId,
            type: f.type,
            dueDate: f.dueDate,
            region,
          }),
        ),
      ];
      // The ids must resolve to the case before anyone can learn them.
      if (!existing)
        await this.deps.store.addLookup({ _id: placementId, caseId: doc._id, kind: 'placement' });
      for (const f of scheduled)
        await this.deps.store.addLookup({ _id: f.followupId, caseId: doc._id, kind: 'followup' });
      const written = await this.commit(this.deps.store.cases, doc._id, () =>
        this.deps.store.compareAndSet(doc._id, doc.version, { placement, followups }, events),
      );
      if (!written) continue;
      await this.deps.index.bringForward(doc._id, this.nextOverdueAt(followups));
      this.deps.logger.info(
        {
          caseId: doc._id,
          placementId,
          revision,
          type: input.type,
          scheduled: scheduled.length,
          cancelled: cancelledIds.size,
          agencyId: principal.agencyId,
        },
        'placement decided',
      );
      return { doc: { ...doc, version: doc.version + 1, placement, followups }, created: !existing };
    }
    throw this.contention(input.caseId);
  }

  /** The case of a placement id (for `PUT /v1/placements/{placementId}`). */
  async caseOfPlacement(placementId: string): Promise<string> {
    const caseId = await this.deps.store.caseOf(placementId, 'placement');
    if (!caseId)
      throw new NotFoundError(`no placement "${placementId}"`, 'PLACEMENT_ERR_PLACEMENT_NOT_FOUND');
    return caseId;
  }

  /** Records what was done for a follow-up and publishes `homeward.followup.completed`. */
  async complete(
    followupId: string,
    outcome: FollowupOutcome,
    principal: Principal,
  ): Promise<{ caseId: string; followup: Followup }> {
    const notFound = () =>
      new NotFoundError(`no follow-up "${followupId}"`, 'PLACEMENT_ERR_FOLLOWUP_NOT_FOUND');
    const caseId = await this.deps.store.caseOf(followupId, 'followup');
    if (!caseId) throw notFound();
    return this.deps.locks.withLock(caseId, () =>
      this.completeLocked(caseId, followupId, outcome, principal),
    );
  }

  private async completeLocked(
    caseId: string,
    followupId: string,
    outcome: FollowupOutcome,
    principal: Principal,
  ): Promise<{ caseId: string; followup: Followup }> {
    const notFound = () =>
      new NotFoundError(`no follow-up "${followupId}"`, 'PLACEMENT_ERR_FOLLOWUP_NOT_FOUND');
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const doc = await this.deps.store.get(caseId);
      const f = doc?.followups.find((x) => x.followupId === followupId);
      if (!doc || !f) throw notFound();
      if (f.status === 'completed')
        throw new ConflictError(
          `follow-up "${followupId}" was completed at ${f.completedAt}`,
          'PLACEMENT_ERR_FOLLOWUP_COMPLETED',
        );
      if (f.status === 'cancelled')
        throw new ConflictError(
          `follow-up "${followupId}" was cancelled by revision ${f.cancelledByRevision}`,
          'PLACEMENT_ERR_FOLLOWUP_CANCELLED',
        );
      const missing = missingOutcomeFields(f.type, outcome);
      if (missing.length > 0)
        throw new InputError(
          'the outcome does not say what was done',
          missing,
          'PLACEMENT_ERR_OUTCOME_INCOMPLETE',
        );
      const now = this.deps.clock.now();
      const done: Followup = {
        ...f,
        status: 'completed',
        completedAt: now.toISOString(),
        completedBy: { agencyId: principal.agencyId },
        outcome,
      };
      const followups = doc.followups.map((x) => (x.followupId === followupId ? done : x));
      const event = this.event('homeward.followup.completed', eventIds.completed(followupId), caseId, now, {
        followupId,
        caseId,
        type: f.type,
        completedAt: done.completedAt!,
        outcome: outcomeText(outcome),
      });
      const written = await this.commit(this.deps.store.cases, caseId, () =>
        this.deps.store.compareAndSet(caseId, doc.version, { followups }, [event]),
      );
      if (!written) continue;
      this.deps.logger.info(
        { caseId, followupId, type: f.type, agencyId: principal.agencyId },
        'follow-up completed',
      );
      return { caseId, followup: done };
    }
    throw this.contention(caseId);
  }

  /**
   * Raises `homeward.followup.overdue` for every follow-up of the case that is past its due date
   * and not yet raised. The event rides in an overdue claim inserted under the follow-up's id
   * (an atomic unique insert), so however many checkers race, and across restarts, each
   * follow-up is raised once; then `overdueRaisedAt` is set on the case (unset → set), and the
   * case's entry in the overdue index is set to its next moment (or removed). Holds the case's
   * lease, so a decision cannot slip between the read and the index update. Returns how many
   * this call raised.
   */
  async raiseOverdue(caseId: string): Promise<number> {
    return this.deps.locks.withLock(caseId, async () => {
      let raised = 0;
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const doc = await this.deps.store.get(caseId);
        if (!doc) {
          await this.deps.index.set(caseId, undefined);
          return raised;
        }
        const now = this.deps.clock.now();
        const due = doc.followups.filter((f) => !f.overdueRaisedAt && this.isOverdue(f));
        const raisedAt = new Map<string, string>();
        for (const f of due) {
          const detectedAt = now.toISOString();
          const event = this.event('homeward.followup.overdue', eventIds.overdue(f.followupId), caseId, now, {
            followupId: f.followupId,
            caseId,
            type: f.type,
            dueDate: f.dueDate,
            detectedAt,
          });
          const claimed = await this.commit(this.deps.store.overdueClaims, f.followupId, () =>
            this.deps.store.claimOverdue({ _id: f.followupId, caseId, detectedAt, ...outboxInsert([event]) }),
          );
          if (claimed) raised++;
          // A claim found (a crash or another checker came first) keeps its own time.
          const at = claimed
            ? detectedAt
            : (await this.deps.store.findOverdueClaim(f.followupId))?.detectedAt;
          raisedAt.set(f.followupId, at ?? detectedAt);
        }
        let followups = doc.followups;
        if (due.length > 0) {
          followups = doc.followups.map((f) => {
            const at = raisedAt.get(f.followupId);
            return at ? { ...f, overdueRaisedAt: at } : f;
          });
          if (!(await this.deps.store.compareAndSet(caseId, doc.version, { followups }))) continue;
          this.deps.logger.info({ caseId, followupIds: [...raisedAt.keys()], raised }, 'follow-ups overdue');
        }
        await this.deps.index.set(caseId, this.nextOverdueAt(followups));
        return raised;
      }
      throw this.contention(caseId);
    });
  }

  /** When the next open, not yet raised follow-up of these becomes overdue. */
  nextOverdueAt(followups: readonly Followup[]): Date | undefined {
    let next: Date | undefined;
    for (const f of followups) {
      if (f.status !== 'scheduled' || f.overdueRaisedAt) continue;
      const at = overdueFrom(f.dueDate, this.deps.utcOffsetMinutes);
      if (!next || at < next) next = at;
    }
    return next;
  }

  /** Whether a scheduled follow-up is past its due date now. */
  isOverdue(f: Followup): boolean {
    return (
      f.status === 'scheduled' && isOverdueAt(f.dueDate, this.deps.clock.now(), this.deps.utcOffsetMinutes)
    );
  }

  private event<T extends Parameters<typeof createEvent>[0]>(
    type: T,
    id: string,
    caseId: string,
    now: Date,
    data: Parameters<typeof createEvent<T>>[1],
  ): HomewardEvent {
    return createEvent(type, data, { source: SOURCE, subject: caseId, id, time: now }) as HomewardEvent;
  }

  /** An outbox write, then its publication awaited, while the caller holds the case's lease. */
  private async commit<T extends Document, R>(
    col: Collection<T>,
    id: string,
    write: () => Promise<R>,
  ): Promise<R> {
    const result = await this.deps.relay.commit(col, id, write);
    await this.deps.relay.notify(col, id);
    return result;
  }

  private contention(caseId: string): AppError {
    return new AppError(
      'PLACEMENT_ERR_CONCURRENT_UPDATE',
      409,
      'Conflict',
      `case "${caseId}" kept changing while being written; retry`,
      { retriable: true },
    );
  }
}

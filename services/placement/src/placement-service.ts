import type { OutboxRelay } from '@homeward/messaging';
import { outboxInsert } from '@homeward/messaging';
import type { AppError, Clock, Logger, Principal, RedisLocks } from '@homeward/service-kit';
import type { Collection, Document } from 'mongodb';
import type { CompletionRefusal } from './domain/followup-plan.ts';
import {
  dueForRaising,
  isOverdue,
  nextOverdueAt,
  overdueEvent,
  planCompletion,
  withRaised,
} from './domain/followup-plan.ts';
import type { FollowupOutcome, FollowupPolicy } from './domain/followup-policy.ts';
import { type DecisionInput, planDecision, type Refusal } from './domain/placement-plan.ts';
import { partyErrors } from './domain/placement-rules.ts';
import { PlacementErrors } from './errors.ts';
import type { CaseDoc, CaseStore, Followup } from './store/case-store.ts';
import type { OverdueIndex } from './store/overdue-index.ts';

export type { DecisionInput } from './domain/placement-plan.ts';

/** Compare-and-set attempts before a write gives up (only under heavy contention on one case). */
const CAS_ATTEMPTS = 8;

export interface PlacementServiceDeps {
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
 * Placement decisions, follow-up completion and the overdue raise. Every write holds the case's
 * lease (see {@link RedisLocks}), reads the case by `_id`, asks the pure plans of `domain/`
 * what to write, and writes the new state with its events in one update guarded by the case's
 * version (a second guard, which holds on MongoDB), then waits for the relay to publish before
 * letting go.
 */
export class PlacementService {
  constructor(private readonly deps: PlacementServiceDeps) {}

  /** Decides (first time) or revises (with a reason) the placement of a case. */
  async decide(input: DecisionInput, principal: Principal): Promise<{ doc: CaseDoc; created: boolean }> {
    const party = partyErrors(input);
    if (party.length > 0)
      throw PlacementErrors.invalidParty.error(
        'the guardian or institution does not fit the placement type',
        {
          errors: party,
        },
      );
    return this.deps.locks.withLock(input.caseId, () => this.decideLocked(input, principal));
  }

  private async decideLocked(
    input: DecisionInput,
    principal: Principal,
  ): Promise<{ doc: CaseDoc; created: boolean }> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const doc = await this.deps.store.get(input.caseId);
      if (!doc) throw PlacementErrors.caseNotFound.error(`no case "${input.caseId}" is known to placement`);
      const plan = planDecision(doc, input, {
        now: this.deps.clock.now(),
        agencyId: principal.agencyId,
        policy: this.deps.policy,
        utcOffsetMinutes: this.deps.utcOffsetMinutes,
      });
      if (!plan.ok) throw refusalError(plan.refusal);
      const { placement, followups, scheduled } = plan;
      // The ids must resolve to the case before anyone can learn them.
      if (plan.created)
        await this.deps.store.addLookup({ _id: placement.placementId, caseId: doc._id, kind: 'placement' });
      for (const f of scheduled)
        await this.deps.store.addLookup({ _id: f.followupId, caseId: doc._id, kind: 'followup' });
      const written = await this.commit(this.deps.store.cases, doc._id, () =>
        this.deps.store.compareAndSet(doc._id, doc.version, { placement, followups }, plan.events),
      );
      if (!written) continue;
      await this.deps.index.bringForward(doc._id, this.nextOverdueAt(followups));
      this.deps.logger.info(
        {
          caseId: doc._id,
          placementId: placement.placementId,
          revision: placement.revisions.length,
          type: input.type,
          scheduled: scheduled.length,
          cancelled: plan.cancelledIds.length,
          agencyId: principal.agencyId,
        },
        'placement decided',
      );
      return { doc: { ...doc, version: doc.version + 1, placement, followups }, created: plan.created };
    }
    throw this.contention(input.caseId);
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
    const caseId = await this.deps.store.caseOf(followupId, 'followup');
    if (!caseId) throw PlacementErrors.followupNotFound.error(`no follow-up "${followupId}"`);
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
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const doc = await this.deps.store.get(caseId);
      if (!doc) throw PlacementErrors.followupNotFound.error(`no follow-up "${followupId}"`);
      const plan = planCompletion(doc, followupId, outcome, this.deps.clock.now(), principal.agencyId);
      if (!plan.ok) throw refusalError(plan.refusal);
      const written = await this.commit(this.deps.store.cases, caseId, () =>
        this.deps.store.compareAndSet(caseId, doc.version, { followups: plan.followups }, [plan.event]),
      );
      if (!written) continue;
      this.deps.logger.info(
        { caseId, followupId, type: plan.done.type, agencyId: principal.agencyId },
        'follow-up completed',
      );
      return { caseId, followup: plan.done };
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
        const due = dueForRaising(doc.followups, now, this.deps.utcOffsetMinutes);
        const raisedAt = new Map<string, string>();
        for (const f of due) {
          const detectedAt = now.toISOString();
          const event = overdueEvent(caseId, f, now);
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
          followups = withRaised(doc.followups, raisedAt);
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
    return nextOverdueAt(followups, this.deps.utcOffsetMinutes);
  }

  /** Whether a scheduled follow-up is past its due date now. */
  isOverdue(f: Followup): boolean {
    return isOverdue(f, this.deps.clock.now(), this.deps.utcOffsetMinutes);
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
    return PlacementErrors.concurrentUpdate.error(
      `case "${caseId}" kept changing while being written; retry`,
    );
  }
}

/** The problem a plan's refusal answers with. */
function refusalError(r: Refusal | CompletionRefusal): AppError {
  return PlacementErrors[r.error].error(r.detail, r.errors ? { errors: r.errors } : {});
}

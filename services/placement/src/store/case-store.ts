import type { HomewardEvent } from '@homeward/events';
import type { AggregateStore, FactStore, Persistence } from '@homeward/persistence';
import type { CaseState } from '../domain/placement-state.ts';

export type { Followup, PlacementRevision, PlacementState } from '../domain/placement-state.ts';

/**
 * One document per case (`_id` = caseId): the projected facts, the placement with its history,
 * the follow-ups, and (in MongoDB) the outbox. One document, so a decision, its follow-ups and
 * their events change together in one write, under the case's lease (see @homeward/persistence).
 */
export interface CaseDoc extends CaseState {
  /** How many writes have changed the case (a redelivered event that changes nothing writes nothing). */
  version: number;
}

/** Finds the case of a placement id or follow-up id (written before the ids are used). */
export interface LookupDoc {
  _id: string;
  caseId: string;
  kind: 'placement' | 'followup';
}

/**
 * The fact that a follow-up's overdue event was raised, with that event in its outbox. Its
 * `_id` is the follow-up id, and an insert with a taken `_id` fails atomically (on FerretDB as
 * on MongoDB), so however many checkers race (even one whose lease expired), one claim, and one
 * event, exists per follow-up.
 */
export interface OverdueClaimDoc {
  _id: string;
  caseId: string;
  detectedAt: string;
}

/** Placement's stores; every hot read and write is by `_id`. */
export class CaseStore {
  readonly cases: AggregateStore<CaseDoc>;
  readonly lookups: FactStore<LookupDoc>;
  readonly overdueClaims: FactStore<OverdueClaimDoc>;

  constructor(persistence: Persistence) {
    this.cases = persistence.aggregate<CaseDoc>('cases');
    this.lookups = persistence.facts<LookupDoc>('lookups');
    this.overdueClaims = persistence.facts<OverdueClaimDoc>('overdue_claims');
  }

  get(caseId: string): Promise<CaseDoc | null> {
    return this.cases.get(caseId);
  }

  /** Inserts an overdue claim with its event; false when the follow-up was claimed already. */
  claimOverdue(doc: OverdueClaimDoc, events: readonly HomewardEvent[] = []): Promise<boolean> {
    return this.overdueClaims.insertOnce(doc, events);
  }

  findOverdueClaim(followupId: string): Promise<OverdueClaimDoc | null> {
    return this.overdueClaims.get(followupId);
  }

  /** Records which case an id belongs to (idempotent; a leftover from a lost race is harmless). */
  async addLookup(doc: LookupDoc): Promise<void> {
    await this.lookups.insertOnce(doc);
  }

  async caseOf(id: string, kind: LookupDoc['kind']): Promise<string | undefined> {
    const found = await this.lookups.get(id);
    return found && found.kind === kind ? found.caseId : undefined;
  }

  /** Every case, without its outbox (the clocks' rebuild at start and their listing; a full read). */
  all(): Promise<CaseDoc[]> {
    return this.cases.list();
  }

  /**
   * Every case that has a placement, with its follow-ups only. A full read of the collection
   * (FerretDB pushes down nothing but `_id`): used at start to rebuild the overdue index and by
   * the follow-up listing, never on a per-event path.
   */
  /** Placed cases; `scope` (a region filter on `facts.region`) narrows them in the store query. */
  placed(
    scope: Record<string, unknown> = {},
  ): Promise<Array<Pick<CaseDoc, '_id' | 'version' | 'followups' | 'placement' | 'placements' | 'facts'>>> {
    const placed = { $or: [{ placement: { $exists: true } }, { placements: { $exists: true } }] };
    const filter = Object.keys(scope).length === 0 ? placed : { $and: [placed, scope] };
    return this.cases.list<
      Pick<CaseDoc, '_id' | 'version' | 'followups' | 'placement' | 'placements' | 'facts'>
    >(filter as never, {
      projection: { _id: 1, version: 1, followups: 1, placement: 1, placements: 1, facts: 1 },
    });
  }
}

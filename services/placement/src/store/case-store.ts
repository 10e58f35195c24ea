import type { HomewardEvent } from '@homeward/events';
import { type OutboxFields, withOutbox } from '@homeward/messaging';
import type { Collection, Db } from 'mongodb';
import type { CaseState } from '../domain/placement-state.ts';

export type {
  Followup,
  PlacementRevision,
  PlacementState,
} from '../domain/placement-state.ts';

/**
 * One document per case (`_id` = caseId): the projected facts, the placement with its history,
 * the follow-ups and the outbox. One document, so a decision, its follow-ups and their events
 * change together in one `updateOne`; `version` is the compare-and-set guard of every write.
 */
export interface CaseDoc extends OutboxFields, CaseState {
  version: number;
}

/** Finds the case of a placement id or follow-up id (written before the ids are used). */
export interface LookupDoc {
  _id: string;
  caseId: string;
  kind: 'placement' | 'followup';
}

/**
 * The claim that a follow-up's overdue event was raised, with that event in its outbox. Its
 * `_id` is the follow-up id, and an insert with a taken `_id` fails atomically (on FerretDB as
 * on MongoDB), so however many checkers race, one claim, and one event, exists per follow-up.
 */
export interface OverdueClaimDoc extends OutboxFields {
  _id: string;
  caseId: string;
  detectedAt: string;
}

export type CaseUpdate = Partial<Pick<CaseDoc, 'facts' | 'placement' | 'followups'>>;

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

/** Placement's collections; every hot read and write is by `_id`. */
export class CaseStore {
  readonly cases: Collection<CaseDoc>;
  readonly lookups: Collection<LookupDoc>;
  readonly overdueClaims: Collection<OverdueClaimDoc>;

  constructor(db: Db) {
    this.cases = db.collection<CaseDoc>('cases');
    this.lookups = db.collection<LookupDoc>('lookups');
    this.overdueClaims = db.collection<OverdueClaimDoc>('overdue_claims');
  }

  /** Inserts an overdue claim with its event; false when the follow-up was claimed already. */
  async claimOverdue(doc: OverdueClaimDoc): Promise<boolean> {
    try {
      await this.overdueClaims.insertOne(doc);
      return true;
    } catch (err) {
      if (isDuplicate(err)) return false;
      throw err;
    }
  }

  findOverdueClaim(followupId: string): Promise<OverdueClaimDoc | null> {
    return this.overdueClaims.findOne({ _id: followupId }, { projection: { outbox: 0 } });
  }

  get(caseId: string): Promise<CaseDoc | null> {
    return this.cases.findOne({ _id: caseId }, { projection: { outbox: 0 } });
  }

  /** Inserts a new case at version 1; false when another writer inserted it first. */
  async insert(doc: Omit<CaseDoc, 'version'>): Promise<boolean> {
    try {
      await this.cases.insertOne({ ...doc, version: 1 });
      return true;
    } catch (err) {
      if (isDuplicate(err)) return false;
      throw err;
    }
  }

  /**
   * Writes `update` and queues `events` only if the case is still at `version` (compare-and-set
   * with the `_id` in the filter); false when another writer changed it since it was read.
   */
  async compareAndSet(
    caseId: string,
    version: number,
    update: CaseUpdate,
    events: HomewardEvent[] = [],
  ): Promise<boolean> {
    const res = await this.cases.updateOne(
      { _id: caseId, version },
      withOutbox<CaseDoc>({ $set: { ...update, version: version + 1 } }, events),
    );
    return res.matchedCount === 1;
  }

  /** Records which case an id belongs to (idempotent; a leftover from a lost race is harmless). */
  async addLookup(doc: LookupDoc): Promise<void> {
    try {
      await this.lookups.insertOne(doc);
    } catch (err) {
      if (!isDuplicate(err)) throw err;
    }
  }

  async caseOf(id: string, kind: LookupDoc['kind']): Promise<string | undefined> {
    const found = await this.lookups.findOne({ _id: id });
    return found && found.kind === kind ? found.caseId : undefined;
  }

  /**
   * Every case that has a placement, with its follow-ups only. A full read of the collection
   * (FerretDB pushes down nothing but `_id`): used at start to rebuild the overdue index and by
   * the follow-up listing, never on a per-event path.
   */
  placed(): Promise<Array<Pick<CaseDoc, '_id' | 'version' | 'followups' | 'placement'>>> {
    return this.cases
      .find(
        { placement: { $exists: true } },
        { projection: { _id: 1, version: 1, followups: 1, placement: 1 } },
      )
      .toArray();
  }
}

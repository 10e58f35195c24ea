import type { Actor } from '@homeward/events';
import type { OutboxFields } from '@homeward/messaging';
import type { Collection, Db } from 'mongodb';
import { type CustodyRecord, MAX_CHAIN_LENGTH } from '../domain/custody.ts';
import type { Match, Review } from '../domain/match-plan.ts';
import type { ParentRelation } from '../domain/matcher.ts';
import type { StoredGenotype } from '../domain/profile-entry.ts';
import type { Sample, Subject } from '../domain/sample-rules.ts';

export type { MatchStatus } from '../domain/match-plan.ts';
export type { StoredGenotype } from '../domain/profile-entry.ts';
export type { Subject, SubjectKind } from '../domain/sample-rules.ts';

/** A sample as registered: never updated afterwards. */
export type SampleDoc = Sample;

/** One custody record, its `_id` `<sampleId>:<seq>`, carrying its own event. */
export interface CustodyDoc extends OutboxFields, CustodyRecord {
  _id: string;
  sampleId: string;
}

/** The hash of a record, written after it: a record removed later leaves its anchor behind. */
export interface AnchorDoc {
  _id: string;
  hash: string;
}

/** The STR profile of a sample, with its profile-entered event. Never leaves this service except to dna-lab. */
export interface ProfileDoc extends OutboxFields {
  _id: string;
  genotypes: StoredGenotype[];
  lociTyped: number;
  matchable: boolean;
  enteredAt: Date;
  enteredBy: Actor;
  fingerprint: string;
  /** The sample's subject, so the index can be loaded from this collection alone. */
  subject: Subject;
}

/** A kinship candidate with its `match-found` event (if any). */
export interface MatchDoc extends OutboxFields, Match {}

/** A lab's decision on a match, `_id` the match id: one per match, with its event. */
export interface ReviewDoc extends OutboxFields, Review {}

interface CaseParentDoc {
  _id: string;
  sampleId: string;
}

const DUPLICATE_KEY = 11000;
const isDuplicate = (err: unknown) => (err as { code?: number }).code === DUPLICATE_KEY;

/**
 * dna-tracking's collections. FerretDB 1.24 applies an update as read-modify-write without
 * isolation, so two updates of one document at once can lose one (measured here: most of 200
 * concurrent `$set`+`$pullAll` pairs lost a change). So documents that carry events are written
 * once and never updated by this service:
 * every change is an insert whose unique `_id` is also its compare-and-set (the next custody
 * record `<sampleId>:<seq>`, the one profile of a sample, the one review of a match). Hot
 * lookups are by `_id` only; the listings (overdue, matches by status) scan, off the hot path.
 */
export class DnaStore {
  readonly samples: Collection<SampleDoc>;
  readonly custody: Collection<CustodyDoc>;
  readonly anchors: Collection<AnchorDoc>;
  readonly profiles: Collection<ProfileDoc>;
  readonly searches: Collection<{ _id: string; at: Date }>;
  readonly matches: Collection<MatchDoc>;
  readonly reviews: Collection<ReviewDoc>;
  readonly caseParents: Collection<CaseParentDoc>;

  constructor(db: Db) {
    this.samples = db.collection<SampleDoc>('samples');
    this.custody = db.collection<CustodyDoc>('custody_records');
    this.anchors = db.collection<AnchorDoc>('custody_anchors');
    this.profiles = db.collection<ProfileDoc>('profiles');
    this.searches = db.collection<{ _id: string; at: Date }>('searches');
    this.matches = db.collection<MatchDoc>('matches');
    this.reviews = db.collection<ReviewDoc>('reviews');
    this.caseParents = db.collection<CaseParentDoc>('case_parents');
  }

  /** Inserts once; false when the `_id` exists (a retry, a concurrent copy, a lost race). */
  async insertOnce<T extends { _id: string }>(col: Collection<T>, doc: T): Promise<boolean> {
    try {
      await col.insertOne(doc as never);
      return true;
    } catch (err) {
      if (isDuplicate(err)) return false;
      throw err;
    }
  }

  findSample(sampleId: string): Promise<SampleDoc | null> {
    return this.samples.findOne({ _id: sampleId });
  }

  /** The records of a sample's chain by slot (point lookups), and the anchors written after them. */
  async chain(sampleId: string): Promise<{ records: (CustodyDoc | null)[]; anchors: (string | null)[] }> {
    const slots = Array.from({ length: MAX_CHAIN_LENGTH }, (_, seq) => `${sampleId}:${seq}`);
    const [records, anchors] = await Promise.all([
      Promise.all(slots.map((_id) => this.custody.findOne({ _id }, { projection: { outbox: 0 } }))),
      Promise.all(slots.map((_id) => this.anchors.findOne({ _id }))),
    ]);
    return { records, anchors: anchors.map((a) => a?.hash ?? null) };
  }

  async anchor(sampleId: string, seq: number, hash: string): Promise<void> {
    await this.insertOnce(this.anchors, { _id: `${sampleId}:${seq}`, hash });
  }

  /** Every custody record (the overdue listing). */
  allCustodyRecords() {
    return this.custody.find({}, { projection: { outbox: 0 } });
  }

  findProfile(sampleId: string, withGenotypes = false): Promise<ProfileDoc | null> {
    return this.profiles.findOne(
      { _id: sampleId },
      { projection: withGenotypes ? { outbox: 0 } : { outbox: 0, genotypes: 0, fingerprint: 0 } },
    );
  }

  /** Every matchable profile (start-up load of the index). */
  matchableProfiles() {
    return this.profiles.find({ matchable: true }, { projection: { outbox: 0 } });
  }

  async searchedIds(): Promise<Set<string>> {
    return new Set((await this.searches.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
  }

  async markSearched(sampleId: string, at: Date): Promise<void> {
    await this.insertOnce(this.searches, { _id: sampleId, at });
  }

  /** Claims the case's mother (or father) for a sample; returns the holder's sample id. */
  async claimCaseParent(caseId: string, relation: ParentRelation, sampleId: string): Promise<string> {
    const _id = `${caseId}:${relation}`;
    if (await this.insertOnce(this.caseParents, { _id, sampleId })) return sampleId;
    const holder = await this.caseParents.findOne({ _id });
    if (!holder) throw new Error(`case parent claim ${_id} vanished after a duplicate-key insert`);
    return holder.sampleId;
  }

  async caseParent(caseId: string, relation: ParentRelation): Promise<string | undefined> {
    return (await this.caseParents.findOne({ _id: `${caseId}:${relation}` }))?.sampleId;
  }

  findMatch(matchId: string): Promise<MatchDoc | null> {
    return this.matches.findOne({ _id: matchId }, { projection: { outbox: 0 } });
  }

  findReview(matchId: string): Promise<ReviewDoc | null> {
    return this.reviews.findOne({ _id: matchId }, { projection: { outbox: 0 } });
  }

  /** Matches (optionally of a case) with their reviews, newest first. */
  async listMatches(caseId: string | undefined): Promise<Array<{ match: MatchDoc; review?: ReviewDoc }>> {
    const q = caseId ? { $or: [{ caseId }, { childCaseId: caseId }] } : {};
    const [matches, reviews] = await Promise.all([
      this.matches.find(q, { projection: { outbox: 0 } }).toArray(),
      this.reviews.find({}, { projection: { outbox: 0 } }).toArray(),
    ]);
    const byId = new Map(reviews.map((r) => [r._id, r]));
    return matches
      .sort(
        (a, b) => new Date(b.foundAt).getTime() - new Date(a.foundAt).getTime() || a._id.localeCompare(b._id),
      )
      .map((match) => {
        const review = byId.get(match._id);
        return review ? { match, review } : { match };
      });
  }
}

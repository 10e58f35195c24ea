import type { Actor } from '@homeward/events';
import type { AggregateStore, FactStore, Persistence } from '@homeward/persistence';
import { withScope } from '@homeward/service-kit';
import { type CustodyRecord, MAX_CHAIN_LENGTH } from '../domain/custody.ts';
import type { Match, Review } from '../domain/match-plan.ts';
import type { ParentRelation } from '../domain/matcher.ts';
import type { StoredGenotype } from '../domain/profile-entry.ts';
import type { Sample, Subject } from '../domain/sample-rules.ts';
import type { CaseDutiesDoc } from '../domain/sampling-duties.ts';

export type { MatchStatus } from '../domain/match-plan.ts';
export type { StoredGenotype } from '../domain/profile-entry.ts';
export type { Subject, SubjectKind } from '../domain/sample-rules.ts';

/** A sample as registered: never updated afterwards. */
export type SampleDoc = Sample;

/** One custody record, its `_id` `<sampleId>:<seq>`, inserted with its own event. */
export interface CustodyDoc extends CustodyRecord {
  _id: string;
  sampleId: string;
}

/** The hash of a record, written after it: a record removed later leaves its anchor behind. */
export interface AnchorDoc {
  _id: string;
  hash: string;
}

/** The STR profile of a sample, inserted with its profile-entered event. Never leaves this service except to dna-lab. */
export interface ProfileDoc {
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

/** A kinship candidate, inserted with its `match-found` event (if any). */
export type MatchDoc = Match;

/** A lab's decision on a match, `_id` the match id: one per match, inserted with its event. */
export type ReviewDoc = Review;

interface CaseParentDoc {
  _id: string;
  sampleId: string;
}

/** That a profile's kinship search ran (a crash between the profile and its search leaves none). */
interface SearchDoc {
  _id: string;
  at: Date;
}

/** That a case's duty is paid: `_id` `<caseId>:<subject>`, the first sample that named it. */
export interface PaidDoc {
  _id: string;
  sampleId: string;
  at: Date;
}

/** That a duty's overdue event was raised, with that event: `_id` `<caseId>:<subject>`, so once. */
export interface SamplingClaimDoc {
  _id: string;
  caseId: string;
  detectedAt: string;
}

/** That a single parent's match is folded into its parent pair's: `_id` the single's match id. */
export interface FoldDoc {
  _id: string;
  into: string;
}

/**
 * dna-tracking's stores: append-only facts, written once and never updated (the persistence
 * rule's insert-once rows). Every change is an insert whose deterministic `_id` is also what
 * makes it happen once: the next custody record `<sampleId>:<seq>`, the one profile of a sample,
 * the one review of a match, the one mother and one father of a case. Those that announce
 * something carry their event in the same insert. Hot lookups are by `_id` only; the listings
 * (overdue, matches by status) read whole collections, off the hot path.
 */
export class DnaStore {
  readonly samples: FactStore<SampleDoc>;
  readonly custody: FactStore<CustodyDoc>;
  readonly anchors: FactStore<AnchorDoc>;
  readonly profiles: FactStore<ProfileDoc>;
  readonly searches: FactStore<SearchDoc>;
  readonly matches: FactStore<MatchDoc>;
  readonly reviews: FactStore<ReviewDoc>;
  readonly caseParents: FactStore<CaseParentDoc>;
  /** What each case owes (the one aggregate here: changed only by the case consumer, under its lease). */
  readonly cases: AggregateStore<CaseDutiesDoc>;
  readonly paid: FactStore<PaidDoc>;
  readonly samplingClaims: FactStore<SamplingClaimDoc>;
  readonly folds: FactStore<FoldDoc>;

  /**
   * Events are published in the background after each insert (`awaitPublish: false`): nothing
   * here orders one aggregate's events behind another's, and the relay's sweep finishes after
   * a crash.
   */
  constructor(persistence: Persistence) {
    const facts = <T extends { _id: string }>(name: string) =>
      persistence.facts<T>(name, { awaitPublish: false });
    this.samples = facts<SampleDoc>('samples');
    this.custody = facts<CustodyDoc>('custody_records');
    this.anchors = facts<AnchorDoc>('custody_anchors');
    this.profiles = facts<ProfileDoc>('profiles');
    this.searches = facts<SearchDoc>('searches');
    this.matches = facts<MatchDoc>('matches');
    this.reviews = facts<ReviewDoc>('reviews');
    this.caseParents = facts<CaseParentDoc>('case_parents');
    this.cases = persistence.aggregate<CaseDutiesDoc>('cases', { awaitPublish: false });
    this.paid = facts<PaidDoc>('case_samples');
    this.samplingClaims = facts<SamplingClaimDoc>('sampling_overdue_claims');
    this.folds = facts<FoldDoc>('match_folds');
  }

  findSample(sampleId: string): Promise<SampleDoc | null> {
    return this.samples.get(sampleId);
  }

  /** The records of a sample's chain by slot (point lookups), and the anchors written after them. */
  async chain(sampleId: string): Promise<{ records: (CustodyDoc | null)[]; anchors: (string | null)[] }> {
    const slots = Array.from({ length: MAX_CHAIN_LENGTH }, (_, seq) => `${sampleId}:${seq}`);
    const [records, anchors] = await Promise.all([
      Promise.all(slots.map((id) => this.custody.get(id))),
      Promise.all(slots.map((id) => this.anchors.get(id))),
    ]);
    return { records, anchors: anchors.map((a) => a?.hash ?? null) };
  }

  async anchor(sampleId: string, seq: number, hash: string): Promise<void> {
    await this.anchors.insertOnce({ _id: `${sampleId}:${seq}`, hash });
  }

  /** Every custody record (the overdue listing). */
  allCustodyRecords(): Promise<CustodyDoc[]> {
    return this.custody.list();
  }

  /** A sample's profile; without `withGenotypes`, its counts only (for views that must not hold genotypes). */
  async findProfile(sampleId: string, withGenotypes = false): Promise<ProfileDoc | null> {
    if (withGenotypes) return this.profiles.get(sampleId);
    const [found] = await this.profiles.list<ProfileDoc>(
      { _id: sampleId },
      { projection: { genotypes: 0, fingerprint: 0 }, limit: 1 },
    );
    return found ?? null;
  }

  /** Every matchable profile (start-up load of the index). */
  matchableProfiles(): Promise<ProfileDoc[]> {
    return this.profiles.list({ matchable: true });
  }

  async searchedIds(): Promise<Set<string>> {
    return new Set(
      (await this.searches.list<{ _id: string }>({}, { projection: { _id: 1 } })).map((d) => d._id),
    );
  }

  async markSearched(sampleId: string, at: Date): Promise<void> {
    await this.searches.insertOnce({ _id: sampleId, at });
  }

  /** Claims the case's mother (or father) for a sample; returns the holder's sample id. */
  async claimCaseParent(caseId: string, relation: ParentRelation, sampleId: string): Promise<string> {
    const _id = `${caseId}:${relation}`;
    if (await this.caseParents.insertOnce({ _id, sampleId })) return sampleId;
    const holder = await this.caseParents.get(_id);
    if (!holder) throw new Error(`case parent claim ${_id} vanished after a duplicate-key insert`);
    return holder.sampleId;
  }

  async caseParent(caseId: string, relation: ParentRelation): Promise<string | undefined> {
    return (await this.caseParents.get(`${caseId}:${relation}`))?.sampleId;
  }

  findCase(caseId: string): Promise<CaseDutiesDoc | null> {
    return this.cases.get(caseId);
  }

  /**
   * Every case still open, within a scope filter when given (the duty listing, and the rebuild
   * of the sampling clock at start).
   */
  openCases(scope: Record<string, unknown> = {}): Promise<CaseDutiesDoc[]> {
    return this.cases.list(withScope({ status: 'open' }, scope));
  }

  /** The `<caseId>:<subject>` keys of every paid duty (one read of a small collection, for listings). */
  async paidKeys(): Promise<Set<string>> {
    return new Set((await this.paid.list<{ _id: string }>({}, { projection: { _id: 1 } })).map((d) => d._id));
  }

  /** Which of a case's duties are paid (point reads). */
  async paidOf(caseId: string, subjects: readonly string[]): Promise<Set<string>> {
    const keys = subjects.map((s) => `${caseId}:${s}`);
    const found = await Promise.all(keys.map((k) => this.paid.get(k)));
    return new Set(found.flatMap((d) => (d ? [d._id] : [])));
  }

  findFold(matchId: string): Promise<FoldDoc | null> {
    return this.folds.get(matchId);
  }

  findMatch(matchId: string): Promise<MatchDoc | null> {
    return this.matches.get(matchId);
  }

  findReview(matchId: string): Promise<ReviewDoc | null> {
    return this.reviews.get(matchId);
  }

  /**
   * Matches (optionally of a case) with their reviews and folds, newest first; with `sampleIds`, only the
   * matches naming one of those samples (the caller's scope, in the store query).
   */
  async listMatches(
    caseId: string | undefined,
    sampleIds?: readonly string[],
  ): Promise<Array<{ match: MatchDoc; review?: ReviewDoc; fold?: FoldDoc }>> {
    const clauses: Record<string, unknown>[] = [];
    if (caseId) clauses.push({ $or: [{ caseId }, { childCaseId: caseId }] });
    if (sampleIds)
      clauses.push({
        $or: [{ childSampleId: { $in: [...sampleIds] } }, { parentSampleIds: { $in: [...sampleIds] } }],
      });
    const q = clauses.length === 0 ? {} : clauses.length === 1 ? clauses[0]! : { $and: clauses };
    const [matches, reviews, folds] = await Promise.all([
      this.matches.list(q as never),
      this.reviews.list(),
      this.folds.list(),
    ]);
    const byId = new Map(reviews.map((r) => [r._id, r]));
    const foldOf = new Map(folds.map((f) => [f._id, f]));
    return matches
      .sort(
        (a, b) => new Date(b.foundAt).getTime() - new Date(a.foundAt).getTime() || a._id.localeCompare(b._id),
      )
      .map((match) => {
        const review = byId.get(match._id);
        const fold = foldOf.get(match._id);
        return { match, ...(review ? { review } : {}), ...(fold ? { fold } : {}) };
      });
  }
}

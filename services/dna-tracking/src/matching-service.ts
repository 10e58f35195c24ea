import type { Clock, Histogram, Logger, Principal } from '@homeward/service-kit';
import { matchIdFor } from './domain/ids.ts';
import type { RelativeRelation } from './domain/kinship-relatives.ts';
import {
  alreadyReviewed,
  type Found,
  folds,
  foundForChild,
  foundForParent,
  matchOf,
  pairsFirst,
  planReview,
  type ReviewRefusal,
  singlesOfPair,
} from './domain/match-plan.ts';
import type { ParentSearchResult, ProfileIndex } from './domain/matcher.ts';
import type { StrProfile } from './domain/profile.ts';
import { profileOfStored } from './domain/profile-entry.ts';
import { foundForFamily, foundForRelative, scoredAsFamily } from './domain/relatives-plan.ts';
import { DnaErrors } from './errors.ts';
import type { SearchPool } from './search-pool.ts';
import type { DnaStore, MatchDoc, MatchStatus, ProfileDoc, ReviewDoc } from './store/dna-store.ts';

export { SOURCE } from './domain/ids.ts';

/** What a search found for one entered profile (ids and scores only). */
export interface MatchSummary {
  matchId: string;
  kind: Found['kind'];
  childSampleId: string;
  parentSampleIds: string[];
  combinedIndex: number;
  status: MatchStatus;
  /** False when the match existed already (an earlier search, the other side, a replay). */
  created: boolean;
}

export interface MatchingServiceDeps {
  store: DnaStore;
  clock: Clock;
  logger: Logger;
  index: ProfileIndex;
  /** The child's searches over the index, on every core (search-pool.ts). */
  search: SearchPool;
  /** Observes each search's seconds (homeward_match_search_seconds); none in unit tests. */
  searchSeconds?: Histogram<'side'>;
}

const isChild = (doc: Pick<ProfileDoc, 'subject'>) =>
  doc.subject.kind !== 'parent' && doc.subject.kind !== 'relative';
const roleOf = (doc: Pick<ProfileDoc, 'subject'>) =>
  isChild(doc) ? 'child' : doc.subject.kind === 'relative' ? 'relative' : 'parent';

/**
 * The kinship search around the in-memory {@link ProfileIndex}: loaded from MongoDB at start,
 * kept current by every profile this process enters and every `profile-entered` it consumes,
 * and searched from whichever side a profile arrives on. Matches have ids derived from their
 * samples, so a second search of the same pair (from the other side, a replay, a recovery)
 * finds the match stored and publishes nothing.
 */
export class MatchingService {
  constructor(private readonly deps: MatchingServiceDeps) {}

  /** Whether a sample's profile is in this process's index. */
  isIndexed(sampleId: string): boolean {
    return this.deps.index.has(sampleId);
  }

  /**
   * Loads every matchable profile into the index, then searches the profiles whose search a
   * crash interrupted (stored but never marked searched).
   */
  async load(): Promise<{ indexed: number; recovered: number }> {
    const searched = await this.deps.store.searchedIds();
    const unsearched: ProfileDoc[] = [];
    let indexed = 0;
    for (const doc of await this.deps.store.matchableProfiles()) {
      if (this.deps.index.has(doc._id)) continue;
      this.add(doc, this.profileOf(doc));
      indexed++;
      if (!searched.has(doc._id)) unsearched.push(doc);
    }
    for (const d of unsearched) await this.search(d, this.profileOf(d));
    this.deps.logger.info({ indexed, recovered: unsearched.length }, 'kinship index loaded');
    return { indexed, recovered: unsearched.length };
  }

  /** Adds a newly entered matchable profile (if not yet indexed) and searches it. */
  async enter(doc: ProfileDoc): Promise<MatchSummary[]> {
    const profile = this.profileOf(doc);
    if (!this.deps.index.has(doc._id)) this.add(doc, profile);
    const timer = this.deps.searchSeconds?.startTimer({ side: isChild(doc) ? 'child' : doc.subject.kind });
    try {
      return await this.search(doc, profile);
    } finally {
      timer?.();
    }
  }

  /** The validated profile of a stored sample. */
  profileOf(doc: Pick<ProfileDoc, '_id' | 'genotypes'>): StrProfile {
    return profileOfStored(doc._id, doc.genotypes);
  }

  private add(doc: Pick<ProfileDoc, '_id' | 'subject'>, profile: StrProfile): void {
    const { caseId, relation } = doc.subject;
    this.deps.index.add(doc._id, profile, roleOf(doc), {
      ...(caseId ? { caseId } : {}),
      ...(relation ? { relation } : {}),
    });
  }

  private async search(doc: ProfileDoc, profile: StrProfile): Promise<MatchSummary[]> {
    const { index } = this.deps;
    const found: Found[] = [];
    if (isChild(doc)) {
      const parents = await this.deps.search.searchParentsForChild(profile);
      found.push(...foundForChild(doc._id, doc.subject.caseId, parents));
      found.push(...(await this.relativesForChild(doc, profile, parents)));
    } else if (doc.subject.kind === 'relative') {
      found.push(...this.childrenForRelative(doc, profile));
    } else {
      const caseId = doc.subject.caseId;
      const relation = doc.subject.relation;
      found.push(
        ...foundForParent(
          'single',
          [doc._id],
          caseId,
          index.searchChildrenForParent(profile).children,
          relation === 'mother' || relation === 'father' ? [relation] : undefined,
        ),
      );
      const pair = await this.otherParent(doc);
      if (pair) {
        const mother = doc.subject.relation === 'mother' ? doc._id : pair.doc._id;
        const father = mother === doc._id ? pair.doc._id : doc._id;
        const children = index.searchChildrenForParent(profile, { otherParent: pair.profile }).children;
        found.push(...foundForParent('pair', [mother, father], caseId, children, ['mother', 'father']));
      }
      if (caseId) found.push(...this.familiesOf(caseId, index.searchChildrenForParent(profile).children));
    }
    const summaries: MatchSummary[] = [];
    for (const f of pairsFirst(found)) summaries.push(await this.record(f));
    await this.deps.store.markSearched(doc._id, this.deps.clock.now());
    this.deps.logger.info(
      {
        sampleId: doc._id,
        candidates: summaries.length,
        created: summaries.filter((s) => s.created).length,
        indexSize: index.size,
      },
      'kinship search done',
    );
    return summaries;
  }

  /**
   * A child's candidates among relatives: a relative that is its case's only reference is a
   * match alone; a case with several references (relatives, or a relative and a parent) is
   * scored jointly, whether the search reached it through a relative or through a parent.
   */
  private async relativesForChild(
    doc: ProfileDoc,
    profile: StrProfile,
    parents: Pick<ParentSearchResult, 'singles' | 'pairs'>,
  ): Promise<Found[]> {
    const { index } = this.deps;
    const found: Found[] = [];
    const families = new Set<string>();
    for (const c of await this.deps.search.searchRelativesForChild(profile)) {
      if (c.caseId === undefined) continue;
      if (scoredAsFamily(index.referencesOf(c.caseId))) families.add(c.caseId);
      else {
        const f = foundForRelative(c, {
          childSampleId: doc._id,
          referenceId: c.referenceId,
          caseId: c.caseId,
          childCaseId: doc.subject.caseId,
        });
        if (f) found.push(f);
      }
    }
    for (const c of [...parents.singles, ...parents.pairs]) {
      if (c.caseId !== undefined && scoredAsFamily(index.referencesOf(c.caseId))) families.add(c.caseId);
    }
    for (const caseId of families) {
      const f = foundForFamily(index.familyIndex(profile, caseId), doc._id, caseId, doc.subject.caseId);
      if (f) found.push(f);
    }
    return found;
  }

  /** A relative's candidates among children: alone if it is its case's only reference, else as a family. */
  private childrenForRelative(doc: ProfileDoc, profile: StrProfile): Found[] {
    const { index } = this.deps;
    const caseId = doc.subject.caseId!;
    const children = index.searchChildrenForRelative(profile, doc.subject.relation as RelativeRelation);
    if (scoredAsFamily(index.referencesOf(caseId))) return this.familiesOf(caseId, children);
    return children.flatMap((c) => {
      const f = foundForRelative(c, {
        childSampleId: c.childId,
        referenceId: doc._id,
        caseId,
        childCaseId: c.caseId,
      });
      return f ? [f] : [];
    });
  }

  /** The family scores of a case with the children a search of one of its references found. */
  private familiesOf(caseId: string, children: ReadonlyArray<{ childId: string; caseId?: string }>): Found[] {
    const { index } = this.deps;
    if (!scoredAsFamily(index.referencesOf(caseId))) return [];
    return children.flatMap((c) => {
      const child = index.profileOf(c.childId);
      if (child === undefined) return [];
      const f = foundForFamily(index.familyIndex(child, caseId), c.childId, caseId, c.caseId);
      return f ? [f] : [];
    });
  }

  /** The other parent of the sample's case, if its profile is indexed. */
  private async otherParent(doc: ProfileDoc): Promise<{ doc: ProfileDoc; profile: StrProfile } | undefined> {
    const { caseId, relation } = doc.subject;
    if (!caseId || !relation) return undefined;
    if (relation !== 'mother' && relation !== 'father') return undefined;
    const otherId = await this.deps.store.caseParent(caseId, relation === 'mother' ? 'father' : 'mother');
    if (!otherId || !this.deps.index.has(otherId)) return undefined;
    const other = await this.deps.store.findProfile(otherId, true);
    if (!other?.matchable) return undefined;
    return { doc: other, profile: this.profileOf(other) };
  }

  /**
   * Stores a candidate with its event. A parent pair that is a review task first folds the
   * single-parent matches of the same child (one fold fact each, whether the single exists yet
   * or not), and its event names those already announced, so the family is one review task; a
   * single found folded is stored without an event.
   */
  private async record(f: Found): Promise<MatchSummary> {
    const { store } = this.deps;
    let foldedMatchIds: string[] = [];
    let folded = false;
    if (folds(f)) {
      const into = matchIdFor(f.childSampleId, f.parentSampleIds);
      const singles = singlesOfPair(f);
      for (const id of singles) await store.folds.insertOnce({ _id: id, into });
      const announced = await Promise.all(
        singles.map(async (id) => {
          const [m, r] = await Promise.all([store.findMatch(id), store.findReview(id)]);
          return m?.status === 'pending-review' && !r ? id : undefined;
        }),
      );
      foldedMatchIds = announced.filter((id): id is string => id !== undefined);
    } else if (f.kind === 'single') {
      folded = (await store.findFold(matchIdFor(f.childSampleId, f.parentSampleIds))) !== null;
    }
    const { match, events } = matchOf(f, this.deps.clock.now(), this.deps.index.frequencyTable, {
      folded,
      foldedMatchIds,
    });
    const matchId = match._id;
    const created = await store.matches.insertOnce(match, events);
    if (created) {
      this.deps.logger.info(
        { matchId, childSampleId: f.childSampleId, parentSampleIds: f.parentSampleIds, status: match.status },
        'kinship candidate recorded',
      );
    }
    const stored = created ? undefined : await store.findReview(matchId);
    return {
      matchId,
      kind: f.kind,
      childSampleId: f.childSampleId,
      parentSampleIds: f.parentSampleIds,
      combinedIndex: f.combinedIndex,
      status: stored?.decision ?? (folded ? 'folded' : match.status),
      created,
    };
  }

  /** A lab's decision on a candidate. Only `pending-review` may be confirmed; a decision is final. */
  async review(input: {
    matchId: string;
    decision: 'confirmed' | 'rejected';
    reviewer: string;
    note: string;
    principal: Principal;
    traceparent?: string;
  }): Promise<{ match: MatchDoc; review: ReviewDoc }> {
    const { matchId, decision } = input;
    const [match, earlier, fold] = await Promise.all([
      this.deps.store.findMatch(matchId),
      this.deps.store.findReview(matchId),
      this.deps.store.findFold(matchId),
    ]);
    if (!match) throw DnaErrors.matchNotFound.error(`no match "${matchId}"`);
    const plan = planReview(
      match,
      earlier,
      {
        decision,
        reviewer: input.reviewer,
        note: input.note,
        by: input.principal,
        ...(input.traceparent ? { traceparent: input.traceparent } : {}),
      },
      this.deps.clock.now(),
      fold,
    );
    if (!plan.ok) throw reviewError(plan.refusal);
    // One review per match: the insert under the match id is the compare-and-set.
    const inserted = await this.deps.store.reviews.insertOnce(plan.review, [plan.event]);
    if (!inserted) throw reviewError(alreadyReviewed(undefined));
    this.deps.logger.info({ matchId, decision, agencyId: input.principal.agencyId }, 'match reviewed');
    return { match, review: plan.review };
  }
}

/** The problem a refused review answers with. */
function reviewError(r: ReviewRefusal) {
  return DnaErrors[r.error].error(r.detail, r.foldedInto ? { extensions: { foldedInto: r.foldedInto } } : {});
}

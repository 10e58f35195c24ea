import { createEvent, type HomewardEvent } from '@homeward/events';
import { type OutboxRelay, outboxInsert } from '@homeward/messaging';
import {
  type Clock,
  ConflictError,
  type Logger,
  NotFoundError,
  type Principal,
  RuleViolationError,
} from '@homeward/service-kit';
import { matchIdFor } from './domain/ids.ts';
import type { CandidateScore, ProfileIndex } from './domain/matcher.ts';
import { type StrProfile, validateProfile } from './domain/profile.ts';
import type { DnaStore, MatchDoc, MatchStatus, ProfileDoc, ReviewDoc } from './store/dna-store.ts';

export const SOURCE = 'homeward/dna-tracking';

/** What a search found for one entered profile (ids and scores only). */
export interface MatchSummary {
  matchId: string;
  kind: 'single' | 'pair';
  childSampleId: string;
  parentSampleIds: string[];
  combinedIndex: number;
  status: MatchStatus;
  /** False when the match existed already (an earlier search, the other side, a replay). */
  created: boolean;
}

interface Found extends CandidateScore {
  kind: 'single' | 'pair';
  childSampleId: string;
  parentSampleIds: string[];
  caseId?: string;
  childCaseId?: string;
}

export interface KinshipMatchingDeps {
  store: DnaStore;
  relay: OutboxRelay;
  clock: Clock;
  logger: Logger;
  index: ProfileIndex;
  minimumLoci: number;
}

const isChild = (doc: Pick<ProfileDoc, 'subject'>) => doc.subject.kind !== 'parent';

/**
 * The kinship search around the in-memory {@link ProfileIndex}: loaded from MongoDB at start,
 * kept current by every profile this process enters and every `profile-entered` it consumes,
 * and searched from whichever side a profile arrives on. Matches have ids derived from their
 * samples, so a second search of the same pair (from the other side, a replay, a recovery)
 * finds the match stored and publishes nothing.
 */
export class KinshipMatching {
  constructor(private readonly deps: KinshipMatchingDeps) {}

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
    for await (const doc of this.deps.store.matchableProfiles()) {
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
    return this.search(doc, profile);
  }

  /** The validated profile of a stored sample. */
  profileOf(doc: Pick<ProfileDoc, '_id' | 'genotypes'>): StrProfile {
    const loci = Object.fromEntries(doc.genotypes.map((g) => [g.locus, g.alleles]));
    const v = validateProfile({ loci }, { minimumLoci: this.deps.minimumLoci });
    if (!v.ok) throw new Error(`the stored profile of ${doc._id} no longer validates`);
    return v.profile;
  }

  private add(doc: Pick<ProfileDoc, '_id' | 'subject'>, profile: StrProfile): void {
    const { caseId, relation } = doc.subject;
    this.deps.index.add(doc._id, profile, isChild(doc) ? 'child' : 'parent', {
      ...(caseId ? { caseId } : {}),
      ...(relation ? { relation } : {}),
    });
  }

  private async search(doc: ProfileDoc, profile: StrProfile): Promise<MatchSummary[]> {
    const found: Found[] = [];
    const { index } = this.deps;
    if (isChild(doc)) {
      const r = index.searchParentsForChild(profile);
      const childCaseId = doc.subject.caseId;
      for (const c of r.singles) {
        found.push({
          ...score(c),
          kind: 'single',
          childSampleId: doc._id,
          parentSampleIds: [c.parentId],
          ...ids(c.caseId, childCaseId),
        });
      }
      for (const c of r.pairs) {
        found.push({
          ...score(c),
          kind: 'pair',
          childSampleId: doc._id,
          parentSampleIds: [c.motherId, c.fatherId],
          ...ids(c.caseId, childCaseId),
        });
      }
    } else {
      const caseId = doc.subject.caseId;
      for (const c of index.searchChildrenForParent(profile).children) {
        found.push({
          ...score(c),
          kind: 'single',
          childSampleId: c.childId,
          parentSampleIds: [doc._id],
          ...ids(caseId, c.caseId),
        });
      }
      const pair = await this.otherParent(doc);
      if (pair) {
        const mother = doc.subject.relation === 'mother' ? doc._id : pair.doc._id;
        const father = mother === doc._id ? pair.doc._id : doc._id;
        for (const c of index.searchChildrenForParent(profile, { otherParent: pair.profile }).children) {
          found.push({
            ...score(c),
            kind: 'pair',
            childSampleId: c.childId,
            parentSampleIds: [mother, father],
            ...ids(caseId, c.caseId),
          });
        }
      }
    }
    const summaries: MatchSummary[] = [];
    for (const f of found) summaries.push(await this.record(f));
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

  /** The other parent of the sample's case, if its profile is indexed. */
  private async otherParent(doc: ProfileDoc): Promise<{ doc: ProfileDoc; profile: StrProfile } | undefined> {
    const { caseId, relation } = doc.subject;
    if (!caseId || !relation) return undefined;
    const otherId = await this.deps.store.caseParent(caseId, relation === 'mother' ? 'father' : 'mother');
    if (!otherId || !this.deps.index.has(otherId)) return undefined;
    const other = await this.deps.store.findProfile(otherId, true);
    if (!other?.matchable) return undefined;
    return { doc: other, profile: this.profileOf(other) };
  }

  private async record(f: Found): Promise<MatchSummary> {
    const matchId = matchIdFor(f.childSampleId, f.parentSampleIds);
    const now = this.deps.clock.now();
    const status = f.status === 'match' ? 'pending-review' : 'inconclusive';
    const events: HomewardEvent[] =
      status === 'pending-review'
        ? [
            createEvent(
              'homeward.dna.match-found',
              {
                matchId,
                childSampleId: f.childSampleId,
                parentSampleIds: f.parentSampleIds,
                ...(f.caseId ? { caseId: f.caseId } : {}),
                combinedIndex: f.combinedIndex,
                probability: f.probabilityOfParentage,
                inconsistentLoci: f.inconsistentLoci,
                frequencyVersion: this.deps.index.frequencyTable.version,
                foundAt: now.toISOString(),
              },
              { source: SOURCE, subject: f.childSampleId, time: now, id: `${matchId}.found` },
            ),
          ]
        : [];
    const doc: MatchDoc = {
      _id: matchId,
      kind: f.kind,
      childSampleId: f.childSampleId,
      parentSampleIds: f.parentSampleIds,
      ...(f.caseId ? { caseId: f.caseId } : {}),
      ...(f.childCaseId ? { childCaseId: f.childCaseId } : {}),
      combinedIndex: f.combinedIndex,
      probability: f.probabilityOfParentage,
      inconsistentLoci: f.inconsistentLoci,
      lociCompared: f.lociCompared,
      status,
      frequencyTable: this.deps.index.frequencyTable,
      foundAt: now,
      ...outboxInsert(events),
    };
    const created = await this.deps.relay.commit(this.deps.store.matches, matchId, () =>
      this.deps.store.insertOnce(this.deps.store.matches, doc),
    );
    if (created) {
      this.deps.logger.info(
        { matchId, childSampleId: f.childSampleId, parentSampleIds: f.parentSampleIds, status },
        'kinship candidate recorded',
      );
    }
    const stored = created ? undefined : await this.deps.store.findReview(matchId);
    return {
      matchId,
      kind: f.kind,
      childSampleId: f.childSampleId,
      parentSampleIds: f.parentSampleIds,
      combinedIndex: f.combinedIndex,
      status: stored?.decision ?? status,
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
    const [match, earlier] = await Promise.all([
      this.deps.store.findMatch(matchId),
      this.deps.store.findReview(matchId),
    ]);
    if (!match) throw new NotFoundError(`no match "${matchId}"`, 'DNA_ERR_MATCH_NOT_FOUND');
    const already = () =>
      new ConflictError(
        `the match was already reviewed (${earlier?.decision ?? 'concurrently'})`,
        'DNA_ERR_MATCH_ALREADY_REVIEWED',
      );
    if (earlier) throw already();
    if (decision === 'confirmed' && match.status === 'inconclusive') {
      throw new RuleViolationError(
        'an inconclusive candidate (combined index below the match threshold) cannot be confirmed; type more loci or the other parent',
        'DNA_ERR_MATCH_INCONCLUSIVE',
      );
    }
    const now = this.deps.clock.now();
    const common = {
      matchId,
      childSampleId: match.childSampleId,
      parentSampleIds: match.parentSampleIds,
      ...(match.caseId ? { caseId: match.caseId } : {}),
    };
    const opts = {
      source: SOURCE,
      subject: match.childSampleId,
      time: now,
      id: `${matchId}.reviewed`,
      ...(input.traceparent ? { traceparent: input.traceparent } : {}),
    };
    const event =
      decision === 'confirmed'
        ? createEvent(
            'homeward.dna.match-confirmed',
            { ...common, confirmedAt: now.toISOString(), confirmedBy: input.reviewer },
            opts,
          )
        : createEvent(
            'homeward.dna.match-rejected',
            { ...common, rejectedAt: now.toISOString(), rejectedBy: input.reviewer },
            opts,
          );
    const review: ReviewDoc = {
      _id: matchId,
      decision,
      reviewer: input.reviewer,
      note: input.note,
      at: now,
      by: input.principal,
      ...outboxInsert([event]),
    };
    // One review per match: the insert under the match id is the compare-and-set.
    const inserted = await this.deps.relay.commit(this.deps.store.reviews, matchId, () =>
      this.deps.store.insertOnce(this.deps.store.reviews, review),
    );
    if (!inserted) throw already();
    this.deps.logger.info({ matchId, decision, agencyId: input.principal.agencyId }, 'match reviewed');
    const { outbox: _, ...stored } = review;
    return { match, review: stored };
  }
}

function score(c: CandidateScore): CandidateScore {
  return {
    combinedIndex: c.combinedIndex,
    probabilityOfParentage: c.probabilityOfParentage,
    status: c.status,
    lociCompared: c.lociCompared,
    inconsistentLoci: c.inconsistentLoci,
  };
}

function ids(caseId: string | undefined, childCaseId: string | undefined) {
  return { ...(caseId ? { caseId } : {}), ...(childCaseId ? { childCaseId } : {}) };
}

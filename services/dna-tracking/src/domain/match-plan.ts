/**
 * Kinship candidates as records, and a lab's review of them, without I/O: a search's scores
 * become a match (ids derived from the samples, so one child and one set of parents make one
 * match however often they are searched), and a review is refused or becomes the final word.
 */
import { type Actor, createEvent, type HomewardEvent } from '@homeward/events';
import { type DnaErrorKey, DnaErrors } from '../errors.ts';
import type { FrequencyTableMetadata } from './allele-frequencies.ts';
import { matchIdFor, SOURCE } from './ids.ts';
import type { ReferenceRelation } from './kinship-pedigree.ts';
import type { RelativeRelation } from './kinship-relatives.ts';
import type { CandidateScore, ChildCandidate, ParentSearchResult } from './matcher.ts';

/** Where a kinship candidate stands: as found (pending review or inconclusive), or as a lab decided. */
export const MatchStatuses = ['pending-review', 'inconclusive', 'confirmed', 'rejected'] as const;
export type MatchStatus = (typeof MatchStatuses)[number];

/**
 * What a match compares the child with: one parent, a parent pair, one other relative, or
 * several references of one case scored jointly (kinship-pedigree.ts).
 */
export type MatchKind = 'single' | 'pair' | 'relative' | 'family';

/** A reference sample of a relatives match and what it is to the missing child. */
export interface MatchReference {
  sampleId: string;
  relation: ReferenceRelation;
}

/** The relatives part of a match: a relative's relation, or `family` for a joint score. */
export interface RelativesOfMatch {
  relationship?: RelativeRelation | 'family';
  /** Every reference sample, closest relation first. */
  references?: MatchReference[];
}

/** A kinship candidate: scores and ids, never genotypes. */
export interface Match extends RelativesOfMatch {
  _id: string;
  kind: MatchKind;
  childSampleId: string;
  parentSampleIds: string[];
  /** The parents' case (the missing child's), when the parent samples name one. */
  caseId?: string;
  /** The child's own case, if its sample names one. */
  childCaseId?: string;
  combinedIndex: number;
  probability: number;
  inconsistentLoci: string[];
  lociCompared: number;
  /** As found; a review (its own document) decides confirmed or rejected. */
  status: 'pending-review' | 'inconclusive';
  frequencyTable: FrequencyTableMetadata;
  foundAt: Date;
}

/** A lab's decision on a match, `_id` the match id: one per match. */
export interface Review {
  _id: string;
  decision: 'confirmed' | 'rejected';
  reviewer: string;
  note: string;
  at: Date;
  by: Actor;
}

/** One candidate a search found, with the samples it relates and their cases. */
export interface Found extends CandidateScore, RelativesOfMatch {
  kind: MatchKind;
  childSampleId: string;
  parentSampleIds: string[];
  caseId?: string;
  childCaseId?: string;
}

/** The candidates of a child's search among parents: singles, then pairs. */
export function foundForChild(
  childSampleId: string,
  childCaseId: string | undefined,
  result: Pick<ParentSearchResult, 'singles' | 'pairs'>,
): Found[] {
  return [
    ...result.singles.map((c) => ({
      ...score(c),
      kind: 'single' as const,
      childSampleId,
      parentSampleIds: [c.parentId],
      ...cases(c.caseId, childCaseId),
    })),
    ...result.pairs.map((c) => ({
      ...score(c),
      kind: 'pair' as const,
      childSampleId,
      parentSampleIds: [c.motherId, c.fatherId],
      ...cases(c.caseId, childCaseId),
    })),
  ];
}

/**
 * The candidates of a parent's search among children: `parentSampleIds` is the parent alone
 * for a single search, mother then father for a pair search.
 */
export function foundForParent(
  kind: 'single' | 'pair',
  parentSampleIds: string[],
  caseId: string | undefined,
  children: readonly ChildCandidate[],
): Found[] {
  return children.map((c) => ({
    ...score(c),
    kind,
    childSampleId: c.childId,
    parentSampleIds,
    ...cases(caseId, c.caseId),
  }));
}

/**
 * The match a candidate makes at `now`: `pending-review` with a `match-found` event when its
 * score reaches the match threshold, `inconclusive` and silent otherwise.
 */
export function matchOf(
  f: Found,
  now: Date,
  frequencyTable: FrequencyTableMetadata,
): { match: Match; events: HomewardEvent[] } {
  // A relatives match is one per child and set of references: all of them name it.
  const matchId = matchIdFor(f.childSampleId, f.references?.map((r) => r.sampleId) ?? f.parentSampleIds);
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
              frequencyVersion: frequencyTable.version,
              foundAt: now.toISOString(),
              ...relativesOf(f),
            },
            { source: SOURCE, subject: f.childSampleId, time: now, id: `${matchId}.found` },
          ) as HomewardEvent,
        ]
      : [];
  const match: Match = {
    _id: matchId,
    kind: f.kind,
    childSampleId: f.childSampleId,
    parentSampleIds: f.parentSampleIds,
    ...cases(f.caseId, f.childCaseId),
    combinedIndex: f.combinedIndex,
    probability: f.probabilityOfParentage,
    inconsistentLoci: f.inconsistentLoci,
    lociCompared: f.lociCompared,
    status,
    frequencyTable,
    foundAt: now,
    ...relativesOf(f),
  };
  return { match, events };
}

/** A review as a lab submits it. */
export interface ReviewInput {
  decision: 'confirmed' | 'rejected';
  reviewer: string;
  note: string;
  by: Actor;
  traceparent?: string;
}

/** Why a review is refused. */
export interface ReviewRefusal {
  error: Extract<DnaErrorKey, 'matchAlreadyReviewed' | 'matchInconclusive'>;
  /** The stable problem code of that error. */
  code: string;
  detail: string;
}

/**
 * A lab's decision on a match: final (a second one is refused), and an inconclusive candidate
 * (combined index below the match threshold) may be rejected, never confirmed. The review
 * carries `match-confirmed` or `match-rejected`, naming the parents' case if known.
 */
export function planReview(
  match: Match,
  earlier: Pick<Review, 'decision'> | null | undefined,
  input: ReviewInput,
  now: Date,
): { ok: true; review: Review; event: HomewardEvent } | { ok: false; refusal: ReviewRefusal } {
  if (earlier) return { ok: false, refusal: alreadyReviewed(earlier.decision) };
  if (input.decision === 'confirmed' && match.status === 'inconclusive')
    return {
      ok: false,
      refusal: {
        error: 'matchInconclusive',
        code: DnaErrors.matchInconclusive.code,
        detail:
          'an inconclusive candidate (combined index below the match threshold) cannot be confirmed; type more loci or the other parent',
      },
    };
  const common = {
    matchId: match._id,
    childSampleId: match.childSampleId,
    parentSampleIds: match.parentSampleIds,
    ...(match.caseId ? { caseId: match.caseId } : {}),
    ...relativesOf(match),
  };
  const opts = {
    source: SOURCE,
    subject: match.childSampleId,
    time: now,
    id: `${match._id}.reviewed`,
    ...(input.traceparent ? { traceparent: input.traceparent } : {}),
  };
  const event = (
    input.decision === 'confirmed'
      ? createEvent(
          'homeward.dna.match-confirmed',
          { ...common, confirmedAt: now.toISOString(), confirmedBy: input.reviewer },
          opts,
        )
      : createEvent(
          'homeward.dna.match-rejected',
          { ...common, rejectedAt: now.toISOString(), rejectedBy: input.reviewer },
          opts,
        )
  ) as HomewardEvent;
  const review: Review = {
    _id: match._id,
    decision: input.decision,
    reviewer: input.reviewer,
    note: input.note,
    at: now,
    by: input.by,
  };
  return { ok: true, review, event };
}

/** The refusal of a second review (`earlier` unknown when another review won a race). */
export function alreadyReviewed(earlier: Review['decision'] | undefined): ReviewRefusal {
  return {
    error: 'matchAlreadyReviewed',
    code: DnaErrors.matchAlreadyReviewed.code,
    detail: `the match was already reviewed (${earlier ?? 'concurrently'})`,
  };
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

/** The relatives fields of a match, present only on a relatives match. */
function relativesOf(f: RelativesOfMatch): RelativesOfMatch {
  return {
    ...(f.relationship ? { relationship: f.relationship } : {}),
    ...(f.references ? { references: f.references } : {}),
  };
}

function cases(caseId: string | undefined, childCaseId: string | undefined) {
  return { ...(caseId ? { caseId } : {}), ...(childCaseId ? { childCaseId } : {}) };
}

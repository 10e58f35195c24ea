/**
 * Relatives' candidates as matches, without I/O: which cases a search touched are scored as a
 * family, and what a relatives match names (its relationship and references, closest first).
 */
import type { ReferenceRelation } from './kinship-pedigree.ts';
import type { RelativeStatus } from './kinship-relatives.ts';
import type { Found, MatchReference } from './match-plan.ts';
import type { RelativeCandidate } from './matcher.ts';

/** Closest relation first: the order of a match's references and of its `parentSampleIds`. */
const CLOSENESS: Readonly<Record<ReferenceRelation, number>> = {
  mother: 0,
  father: 1,
  'full-sibling': 2,
  'half-sibling': 3,
  grandparent: 4,
  'aunt-uncle': 5,
};

/** References closest relation first, then by sample id. */
export function byCloseness(references: readonly MatchReference[]): MatchReference[] {
  return [...references].sort(
    (a, b) => CLOSENESS[a.relation] - CLOSENESS[b.relation] || a.sampleId.localeCompare(b.sampleId),
  );
}

/**
 * The match of a child with one relative, the only reference of its case, or nothing when its
 * index is below the relationship's inconclusive threshold (the search returns lower ones so
 * that a case with several references can be scored jointly).
 */
export function foundForRelative(
  c: Pick<RelativeCandidate, 'relation' | 'combinedIndex' | 'probability' | 'status' | 'lociCompared'>,
  ids: { childSampleId: string; referenceId: string; caseId: string; childCaseId?: string | undefined },
): Found | undefined {
  if (c.status === 'no-match') return undefined;
  const { childSampleId, referenceId, caseId, childCaseId } = ids;
  return {
    kind: 'relative',
    childSampleId,
    parentSampleIds: [referenceId],
    caseId,
    ...(childCaseId ? { childCaseId } : {}),
    combinedIndex: c.combinedIndex,
    probabilityOfParentage: c.probability,
    status: c.status,
    lociCompared: c.lociCompared,
    inconsistentLoci: [],
    relationship: c.relation,
    references: [{ sampleId: referenceId, relation: c.relation }],
  };
}

/** The joint score of a child and every reference of a case (matcher.ts's familyIndex). */
export interface FamilyScore {
  combinedIndex: number;
  probability: number;
  status: RelativeStatus;
  lociCompared: number;
  references: ReadonlyArray<{ sampleId: string; relation: ReferenceRelation }>;
}

/**
 * The match of a child with a family (two or more references of a case scored jointly), or
 * nothing below the family's inconclusive threshold. `parentSampleIds` holds the two closest
 * references (the events allow two); `references` holds them all.
 */
export function foundForFamily(
  score: FamilyScore,
  childSampleId: string,
  caseId: string,
  childCaseId: string | undefined,
): Found | undefined {
  if (score.status === 'no-match') return undefined;
  const references = byCloseness(
    score.references.map((r) => ({ sampleId: r.sampleId, relation: r.relation })),
  );
  return {
    kind: 'family',
    childSampleId,
    parentSampleIds: references.slice(0, 2).map((r) => r.sampleId),
    caseId,
    ...(childCaseId ? { childCaseId } : {}),
    combinedIndex: score.combinedIndex,
    probabilityOfParentage: score.probability,
    status: score.status,
    lociCompared: score.lociCompared,
    inconsistentLoci: [],
    relationship: 'family',
    references,
  };
}

/** Whether a case's references call for a family score: two or more, one of them not a parent. */
export function scoredAsFamily(references: ReadonlyArray<{ relation: ReferenceRelation }>): boolean {
  return references.length >= 2 && references.some((r) => r.relation !== 'mother' && r.relation !== 'father');
}

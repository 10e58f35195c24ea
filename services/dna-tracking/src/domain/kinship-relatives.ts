/**
 * Kinship indices for relatives other than parents: the reference formulas.
 *
 * A relationship between two people is summed up, at one autosomal locus, by the chances
 * (k0, k1, k2) that they share 0, 1 or 2 alleles identical by descent (IBD). The likelihood
 * ratio of "the child is this reference's <relation>" against "unrelated" at one locus is then
 *
 *   KI = k0 + k1 · PI + k2 · [child = reference] / P(child)
 *
 * where PI is the parent-child index of kinship.ts (what one shared allele makes of the child's
 * genotype: X/Y with X = t(P)·q + t(Q)·p) and P(child) is p² or 2pq: with one allele IBD the
 * child draws one allele from the reference and one from the population, exactly as from a
 * parent; with two IBD it has the reference's genotype. With (k0, k1, k2) =
 *   full sibling            (¼, ½, ¼)
 *   half sibling            (½, ½, 0)
 *   grandparent             (½, ½, 0)
 *   aunt or uncle           (½, ½, 0)
 * (E.A. Thompson, "Pedigree Analysis in Human Genetics", 1986; B.S. Weir, A.D. Anderson,
 * A.B. Hepler (2006), "Genetic relatedness analysis: modern data and new challenges", Nat. Rev.
 * Genet. 7:771–780, table 1; the full-sibling and half-sibling indices in this form: C.H.
 * Brenner, "Kinship analysis by DNA when there are many possibilities", dna-view.com, and
 * Fung W.K., Hu Y.-Q. (2008), "Statistical DNA Forensics", ch. 5). This gives, e.g., child PQ &
 * sibling PQ → ¼ + (p+q)/(8pq) + 1/(8pq), child PP & sibling PP → ¼ + 1/(2p) + 1/(4p²), child
 * PQ & half sibling PR → ½ + 1/(8p).
 *
 * Second-degree relatives share the same (k0, k1, k2), so a single reference cannot tell a
 * half sibling from a grandparent or an aunt; the relation recorded on the sample says which
 * was typed, and it matters when several relatives of one case are scored together
 * (kinship-pedigree.ts).
 *
 * No locus excludes a relative (k0 > 0), so no inconsistency count applies. Mutation enters the
 * PI term only: where the child shares no allele with the reference, PI would be 0 and is
 * scored instead as m·μ/Ā (Brenner's approximation, as kinship.ts's mutation index), m the
 * meioses on the path that carries the shared allele: 2 for siblings (parent→reference,
 * parent→child) and grandparents (grandparent→parent→child), 3 for aunts and uncles. Against
 * k0 (¼ or ½) this changes little; it keeps the formula the one the parent index uses. Rare
 * alleles get the frequency table's minimum (NRC II, 5/2n), as everywhere.
 */
import type { FrequencyTable, FrequencyTableMetadata } from './allele-frequencies.ts';
import { type AlleleFrequency, DEFAULT_KINSHIP_OPTIONS, singleParentLocusIndex } from './kinship.ts';
import type { LocusName } from './loci.ts';
import type { Genotype, StrProfile } from './profile.ts';

/** Relatives of a missing child that may give a reference sample, besides its parents. */
export const RelativeRelations = ['full-sibling', 'half-sibling', 'grandparent', 'aunt-uncle'] as const;
export type RelativeRelation = (typeof RelativeRelations)[number];

/** Whether a recorded relation is one of {@link RelativeRelations}. */
export function isRelativeRelation(relation: string | undefined): relation is RelativeRelation {
  return (RelativeRelations as readonly (string | undefined)[]).includes(relation);
}

/** Chances of sharing 0, 1 and 2 alleles identical by descent. */
export interface IbdCoefficients {
  k0: number;
  k1: number;
  k2: number;
}

/** (k0, k1, k2) of each relationship (see the module comment). */
export const IBD: Readonly<Record<RelativeRelation, Readonly<IbdCoefficients>>> = Object.freeze({
  'full-sibling': Object.freeze({ k0: 0.25, k1: 0.5, k2: 0.25 }),
  'half-sibling': Object.freeze({ k0: 0.5, k1: 0.5, k2: 0 }),
  grandparent: Object.freeze({ k0: 0.5, k1: 0.5, k2: 0 }),
  'aunt-uncle': Object.freeze({ k0: 0.5, k1: 0.5, k2: 0 }),
});

/** Meioses on the path that carries a shared allele from the reference's side to the child. */
export const MEIOSES: Readonly<Record<RelativeRelation, number>> = Object.freeze({
  'full-sibling': 2,
  'half-sibling': 2,
  grandparent: 2,
  'aunt-uncle': 3,
});

/** Thresholds of one relationship's index. */
export interface RelativeThresholds {
  /** Index from which a candidate is a match (pending a lab's review). */
  match: number;
  /** Index from which a candidate is recorded as inconclusive. */
  inconclusive: number;
}

/**
 * Default thresholds per relationship. No locus excludes a relative, so unrelated people reach
 * higher indices than against a parent, and a search compares a child with every reference in
 * the database: the thresholds are set so that a search over a million references yields about
 * one false candidate or fewer. A sibling shares far more than a second-degree relative, so it
 * is held to a higher bar. The false-positive and true-positive rates over simulated pairs are
 * in the service README (test/domain/kinship-simulation.test.ts measures them).
 */
export const DEFAULT_RELATIVE_THRESHOLDS: Readonly<Record<RelativeRelation, Readonly<RelativeThresholds>>> =
  Object.freeze({
    'full-sibling': Object.freeze({ match: 100_000, inconclusive: 10_000 }),
    'half-sibling': Object.freeze({ match: 10_000, inconclusive: 1_000 }),
    grandparent: Object.freeze({ match: 10_000, inconclusive: 1_000 }),
    'aunt-uncle': Object.freeze({ match: 10_000, inconclusive: 1_000 }),
  });

/** Outcome of a relatives comparison (no exclusion: every locus keeps at least k0). */
export type RelativeStatus = 'match' | 'inconclusive' | 'no-match';

/** Status of a relatives index under thresholds. */
export function relativeStatus(index: number, thresholds: RelativeThresholds): RelativeStatus {
  if (index >= thresholds.match) return 'match';
  if (index >= thresholds.inconclusive) return 'inconclusive';
  return 'no-match';
}

/**
 * The kinship index at one locus of a child and a reference of the given relationship;
 * `mutationPi` is the PI used where the child shares no allele with the reference
 * ({@link relativeMutationPi}).
 */
export function relativeLocusIndex(
  relation: RelativeRelation,
  child: Genotype,
  reference: Genotype,
  frequency: AlleleFrequency,
  mutationPi: number,
): number {
  const { k0, k1, k2 } = IBD[relation];
  const pi = singleParentLocusIndex(child, reference, frequency);
  const [a, b] = child;
  const pa = frequency(a);
  const identical = child[0] === reference[0] && child[1] === reference[1];
  const ibs2 = identical ? (a === b ? 1 / (pa * pa) : 1 / (2 * pa * frequency(b))) : 0;
  return k0 + k1 * (pi > 0 ? pi : mutationPi) + k2 * ibs2;
}

/** PI of an inconsistent locus for a relationship: m·μ/Ā (see the module comment). */
export function relativeMutationPi(
  table: FrequencyTable,
  locus: LocusName,
  relation: RelativeRelation,
  mutationRate: number,
): number {
  return (MEIOSES[relation] * mutationRate) / table.meanExclusionSingle(locus);
}

/** One locus of a relatives comparison. */
export interface RelativeLocusIndex {
  locus: LocusName;
  index: number;
  /** False where the child shares no allele with the reference. */
  sharesAllele: boolean;
}

/** Outcome of comparing a child with one relative. */
export interface RelativeResult {
  relation: RelativeRelation;
  /** Product of the locus indices. */
  combinedIndex: number;
  /** CI / (CI + 1): probability of the relationship at prior ½. */
  probability: number;
  status: RelativeStatus;
  lociCompared: number;
  /** Loci where the child shares no allele with the reference (not an exclusion here). */
  lociWithoutSharedAllele: LocusName[];
  perLocus: RelativeLocusIndex[];
  frequencyTable: FrequencyTableMetadata;
}

/** Options of a relatives comparison. */
export interface RelativeOptions {
  mutationRate?: number;
  thresholds?: Partial<Record<RelativeRelation, RelativeThresholds>>;
}

/** Compare a child with one relative: the product of {@link relativeLocusIndex} over loci typed in both. */
export function relativeIndex(
  table: FrequencyTable,
  child: StrProfile,
  reference: StrProfile,
  relation: RelativeRelation,
  options: RelativeOptions = {},
): RelativeResult {
  const mutationRate = options.mutationRate ?? DEFAULT_KINSHIP_OPTIONS.mutationRate;
  const thresholds = options.thresholds?.[relation] ?? DEFAULT_RELATIVE_THRESHOLDS[relation];
  const perLocus: RelativeLocusIndex[] = [];
  const lociWithoutSharedAllele: LocusName[] = [];
  let product = 1;
  // The table's order, as the matcher multiplies.
  for (const locus of table.loci) {
    const c = child.loci[locus];
    const r = reference.loci[locus];
    if (c === undefined || r === undefined) continue;
    const frequency = (allele: string) => table.frequency(locus, allele);
    const index = relativeLocusIndex(
      relation,
      c,
      r,
      frequency,
      relativeMutationPi(table, locus, relation, mutationRate),
    );
    const sharesAllele = c.some((allele) => r.includes(allele));
    if (!sharesAllele) lociWithoutSharedAllele.push(locus);
    product *= index;
    perLocus.push({ locus, index, sharesAllele });
  }
  return {
    relation,
    combinedIndex: product,
    probability: Number.isFinite(product) ? product / (product + 1) : 1,
    status: relativeStatus(product, thresholds),
    lociCompared: perLocus.length,
    lociWithoutSharedAllele,
    perLocus,
    frequencyTable: table.meta,
  };
}

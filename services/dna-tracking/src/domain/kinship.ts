/**
 * Parentage likelihood ratios: the reference formulas.
 *
 * Every index here is LR = X / Y with
 *   X = P(child's genotype | the alleged parent(s) are the parents),
 *   Y = P(child's genotype | the parents are random members of the population),
 * under Hardy-Weinberg, with each parent passing either of its alleles with probability ½.
 * Y is p² for a homozygous child PP and 2pq for a heterozygous child PQ. For one alleged
 * parent (the other untyped, so random), X = t(P)·q + t(Q)·p, t(A) being the chance the
 * alleged parent passes A (0, ½ or 1). That reproduces the AABB / Brenner paternity-index
 * table, e.g. child PQ & parent PQ → (p+q)/(4pq), child PP & parent PP → 1/p, child PP &
 * parent PQ → 1/(2p), child PQ & parent PP → 1/(2p), child PQ & parent PR → 1/(4p)
 * (AABB, "Standards for Relationship Testing Laboratories", and its guidance on PI formulas;
 * C.H. Brenner, "Paternity index formulas", dna-view.com). For an alleged pair (the parents
 * of a missing child against an unidentified child) X = t_M(P)·t_F(Q) + t_M(Q)·t_F(P), and
 * t_M(P)·t_F(P) for a homozygous child.
 *
 * The matcher ({@link ./matcher.ts}) computes the same numbers from precomputed tables; this
 * module is the readable definition it is tested against.
 */
import type { FrequencyTable, FrequencyTableMetadata } from './allele-frequencies.ts';
import type { LocusName } from './loci.ts';
import type { Allele, Genotype, StrProfile } from './profile.ts';

/** Outcome of a comparison. */
export type KinshipStatus = 'match' | 'inconclusive' | 'no-match' | 'excluded';

/** Which formula a locus was scored with. */
export type LocusModel = 'single' | 'pair';

/** Parameters of kinship scoring. */
export interface KinshipOptions {
  /**
   * STR mutation rate per meiosis; 0.002 by default, the order of the average autosomal STR
   * rate reported by AABB's annual relationship-testing reports.
   */
  mutationRate: number;
  /** Inconsistent loci at which a comparison is an exclusion (combined index 0); 3 by default. */
  exclusionInconsistencies: number;
  /** Combined index from which a comparison is a match; 10,000 by default. */
  matchThreshold: number;
  /** Combined index from which a comparison is inconclusive rather than no match; 2,000 by default. */
  inconclusiveThreshold: number;
}

/** Defaults of {@link KinshipOptions}. */
export const DEFAULT_KINSHIP_OPTIONS: Readonly<KinshipOptions> = Object.freeze({
  mutationRate: 0.002,
  exclusionInconsistencies: 3,
  matchThreshold: 10_000,
  inconclusiveThreshold: 2_000,
});

/** One locus's contribution. */
export interface LocusIndex {
  locus: LocusName;
  /** The locus likelihood ratio (the mutation index where the locus is inconsistent). */
  index: number;
  consistent: boolean;
  model: LocusModel;
}

/** Outcome of comparing a child with one alleged parent or an alleged pair. */
export interface KinshipResult {
  /** Product of the locus indexes; 0 when excluded. */
  combinedIndex: number;
  /** CI / (CI + 1): probability of parentage at prior ½. */
  probabilityOfParentage: number;
  status: KinshipStatus;
  /** Loci typed in the child, in the frequency table, and typed in at least one alleged parent. */
  lociCompared: number;
  inconsistentLoci: LocusName[];
  perLocus: LocusIndex[];
  /** The frequency table the numbers come from. */
  frequencyTable: FrequencyTableMetadata;
}

/** Frequency of an allele at the locus being scored. */
export type AlleleFrequency = (allele: Allele) => number;

const transmits = (parent: Genotype, allele: Allele): number =>
  ((parent[0] === allele ? 1 : 0) + (parent[1] === allele ? 1 : 0)) / 2;

/**
 * Likelihood ratio at one locus for one alleged parent, the other parent untyped. 0 when the
 * child shares no allele with the parent (an inconsistency, scored by {@link mutationIndex}).
 */
export function singleParentLocusIndex(
  child: Genotype,
  parent: Genotype,
  frequency: AlleleFrequency,
): number {
  const [a, b] = child;
  const pa = frequency(a);
  if (a === b) return (transmits(parent, a) * pa) / (pa * pa);
  const pb = frequency(b);
  return (transmits(parent, a) * pb + transmits(parent, b) * pa) / (2 * pa * pb);
}

/**
 * Likelihood ratio at one locus for an alleged parent pair. 0 when the pair cannot have
 * produced the child's genotype (an inconsistency, scored by {@link mutationIndex}).
 */
export function parentPairLocusIndex(
  child: Genotype,
  mother: Genotype,
  father: Genotype,
  frequency: AlleleFrequency,
): number {
  // For a homozygous child (a = b) both terms are the one way, and the 2 cancels: T_m(a)·T_f(a)/p².
  const [a, b] = child;
  const x = transmits(mother, a) * transmits(father, b) + transmits(mother, b) * transmits(father, a);
  return x / (2 * frequency(a) * frequency(b));
}

/**
 * Index of an inconsistent locus, after Brenner's approximation adopted by the AABB:
 * PI = μ / Ā, with Ā the locus's mean exclusion power (C.H. Brenner, "Mutations in paternity",
 * dna-view.com/mudisc.htm; the ISFG recommends scoring inconsistencies with a mutation model
 * rather than as exclusions: Gjertson D.W. et al. (2007), "ISFG: Recommendations on
 * biostatistics in paternity testing", Forensic Sci. Int. Genet. 1:223–231). The reasoning:
 * the chance of seeing an inconsistency is about μ if the alleged parent is the parent, and
 * Ā if a random person is. For a pair, two meioses could have mutated and Ā is the pair's
 * exclusion power, so 2μ / Ā_pair.
 */
export function mutationIndex(
  table: FrequencyTable,
  locus: LocusName,
  model: LocusModel,
  mutationRate: number,
): number {
  return model === 'single'
    ? mutationRate / table.meanExclusionSingle(locus)
    : (2 * mutationRate) / table.meanExclusionPair(locus);
}

/** Status of a combined index given the number of inconsistent loci. */
export function kinshipStatus(
  combinedIndex: number,
  inconsistencies: number,
  options: Partial<KinshipOptions> = {},
): KinshipStatus {
  const o = { ...DEFAULT_KINSHIP_OPTIONS, ...options };
  if (inconsistencies >= o.exclusionInconsistencies) return 'excluded';
  if (combinedIndex >= o.matchThreshold) return 'match';
  if (combinedIndex >= o.inconclusiveThreshold) return 'inconclusive';
  return 'no-match';
}

/** Probability of parentage at prior ½: CI / (CI + 1). */
export function probabilityOfParentage(combinedIndex: number): number {
  return Number.isFinite(combinedIndex) ? combinedIndex / (combinedIndex + 1) : 1;
}

/** Compare a child with one alleged parent (the other parent untyped). */
export function singleParentIndex(
  table: FrequencyTable,
  child: StrProfile,
  parent: StrProfile,
  options: Partial<KinshipOptions> = {},
): KinshipResult {
  return combine(table, child, parent, undefined, options);
}

/**
 * Compare a child with an alleged parent pair. A locus typed in only one of the two is scored
 * with the single-parent formula, which is exact there: the untyped parent is, as far as that
 * locus can tell, a random member of the population.
 */
export function parentPairIndex(
  table: FrequencyTable,
  child: StrProfile,
  mother: StrProfile,
  father: StrProfile,
  options: Partial<KinshipOptions> = {},
): KinshipResult {
  return combine(table, child, mother, father, options);
}

function combine(
  table: FrequencyTable,
  child: StrProfile,
  first: StrProfile,
  second: StrProfile | undefined,
  options: Partial<KinshipOptions>,
): KinshipResult {
  const o = { ...DEFAULT_KINSHIP_OPTIONS, ...options };
  const perLocus: LocusIndex[] = [];
  const inconsistentLoci: LocusName[] = [];
  let product = 1;
  // Loci multiply in the table's order so that the matcher's product is the same sequence of
  // floating-point operations.
  for (const locus of table.loci) {
    const c = child.loci[locus];
    if (c === undefined) continue;
    const g1 = first.loci[locus];
    const g2 = second?.loci[locus];
    const frequency = (allele: Allele) => table.frequency(locus, allele);
    let model: LocusModel;
    let index: number;
    if (g1 !== undefined && g2 !== undefined) {
      model = 'pair';
      index = parentPairLocusIndex(c, g1, g2, frequency);
    } else if (g1 !== undefined || g2 !== undefined) {
      model = 'single';
      index = singleParentLocusIndex(c, (g1 ?? g2)!, frequency);
    } else {
      continue;
    }
    const consistent = index > 0;
    if (!consistent) {
      index = mutationIndex(table, locus, model, o.mutationRate);
      inconsistentLoci.push(locus);
    }
    product *= index;
    perLocus.push({ locus, index, consistent, model });
  }
  const excluded = inconsistentLoci.length >= o.exclusionInconsistencies;
  const combinedIndex = excluded ? 0 : product;
  return {
    combinedIndex,
    probabilityOfParentage: probabilityOfParentage(combinedIndex),
    status: kinshipStatus(combinedIndex, inconsistentLoci.length, o),
    lociCompared: perLocus.length,
    inconsistentLoci,
    perLocus,
    frequencyTable: table.meta,
  };
}

/**
 * Several references of one case scored together: the joint likelihood over the case's pedigree.
 *
 * Two siblings of a missing child are not independent pieces of evidence: they share their
 * parents with each other as well as with the child, so multiplying their two sibling indices
 * counts the same parental alleles twice. The right number is the likelihood ratio
 *
 *   LR = P(child, refs | the child belongs to the family) / (P(child) · P(refs | the family))
 *
 * computed over one pedigree. The pedigree here is a template: the missing child C with its
 * parents M and F; full siblings are children of M and F; a half sibling is a child of M or of
 * F and an untyped founder; grandparents are M's or F's parents (two on one side are a couple);
 * an aunt or uncle is a child of M's or F's parents. Which side a half sibling, grandparent or
 * aunt stands on is not recorded, so the likelihood is averaged over the side assignments (each
 * equally likely a priori, at most two grandparents a side), the assignment being one for the
 * whole genome: LR = Σ_a Π_loci L1(a) / (Σ_a Π_loci L0(a) · Π_loci P(child)). Assumptions, said
 * once: two half siblings on one side have different other parents, two aunts on one side are
 * full siblings, and the untyped founders are random members of the population (Hardy-Weinberg,
 * no θ correction).
 *
 * At each locus the untyped persons are summed out (peeling: L = Σ_{m,f} W_M(m)·W_F(f)·
 * T(c|m,f)·Π_sibs T(s|m,f)·Π_half H(h|m or f), W the side's founder term with its typed
 * grandparents and aunts) over genotypes of the alleles seen at that locus plus one lumped
 * "other" allele, which is exact because no typed person carries it (E.A. Thompson, "Pedigree
 * Analysis in Human Genetics", 1986; R.C. Elston, J. Stewart (1971), "A general model for the
 * genetic analysis of pedigree data", Hum. Hered. 21:523–542). Each seen allele weighs its
 * table frequency as it is, and "other" 1 − Σ seen: the closed forms' convention (kinship.ts,
 * kinship-relatives.ts and the matcher use the AABB formulas with each allele's figure, the
 * NRC II minimum 5/2n for a rare one, and never rescale the table), so that the two agree at
 * every locus. See `alleleSpace` for a locus whose seen alleles sum past 1. Transmission follows the
 * proportional mutation model, a parent passing allele a with chance ½(1−μ)·copies(a) + μ·p_a
 * (T. Egeland, D. Kling, P. Mostad, "Relationship Inference with Familias and R", 2016, §2.4),
 * so an inconsistency lowers the likelihood without excluding.
 *
 * With one reference and μ = 0 this is exactly the closed form of kinship-relatives.ts (and PI
 * of kinship.ts for a parent); a test holds the two to that. It is used for a case with two or
 * more typed references, on the few candidates the fast search (matcher.ts) lets through.
 */
import type { FrequencyTable, FrequencyTableMetadata } from './allele-frequencies.ts';
import { DEFAULT_KINSHIP_OPTIONS } from './kinship.ts';
import type { RelativeRelation } from './kinship-relatives.ts';
import type { LocusName } from './loci.ts';
import type { Genotype, StrProfile } from './profile.ts';

/** What a reference of a case is to the missing child. */
export type ReferenceRelation = 'mother' | 'father' | RelativeRelation;

/** A typed reference of a case. */
export interface PedigreeReference {
  sampleId: string;
  relation: ReferenceRelation;
  profile: StrProfile;
}

/** Outcome of a joint comparison. */
export interface PedigreeResult {
  combinedIndex: number;
  probability: number;
  /** Loci typed in the child and in at least one reference. */
  lociCompared: number;
  /** Side assignments averaged over. */
  assignments: number;
  frequencyTable: FrequencyTableMetadata;
}

/** More relatives of unknown side than the side enumeration takes (2^n assignments). */
export const MAX_SIDED_REFERENCES = 8;

type Side = 0 | 1;
const SIDED = new Set<ReferenceRelation>(['half-sibling', 'grandparent', 'aunt-uncle']);

/**
 * The likelihood ratio that `child` is the missing child of the family the references describe.
 * Throws when more than {@link MAX_SIDED_REFERENCES} references have an unknown side or when a
 * relation (mother, father) is given twice, or three grandparents on one side are forced.
 */
export function pedigreeIndex(
  table: FrequencyTable,
  child: StrProfile,
  references: readonly PedigreeReference[],
  options: { mutationRate?: number } = {},
): PedigreeResult {
  const mu = options.mutationRate ?? DEFAULT_KINSHIP_OPTIONS.mutationRate;
  for (const parent of ['mother', 'father'] as const) {
    if (references.filter((r) => r.relation === parent).length > 1) {
      throw new RangeError(`a case has one ${parent}`);
    }
  }
  const sided = references.filter((r) => SIDED.has(r.relation));
  if (sided.length > MAX_SIDED_REFERENCES) {
    throw new RangeError(
      `at most ${MAX_SIDED_REFERENCES} half siblings, grandparents, aunts and uncles a case`,
    );
  }
  const assignments: Side[][] = [];
  for (let bits = 0; bits < 1 << sided.length; bits++) {
    const sides = sided.map((_, i) => ((bits >> i) & 1) as Side);
    const grandparents = [0, 0];
    sided.forEach((r, i) => {
      if (r.relation === 'grandparent') grandparents[sides[i]!]!++;
    });
    if (grandparents[0]! <= 2 && grandparents[1]! <= 2) assignments.push(sides);
  }
  if (assignments.length === 0) throw new RangeError('a child has at most four grandparents');

  const logWith = new Float64Array(assignments.length);
  const logWithout = new Float64Array(assignments.length);
  let logChild = 0;
  let compared = 0;
  for (const locus of table.loci) {
    const c = child.loci[locus];
    const typed = references.filter((r) => r.profile.loci[locus] !== undefined);
    if (typed.length === 0) continue;
    if (c !== undefined) compared++;
    const space = alleleSpace(table, locus, c, typed);
    const cg = c === undefined ? undefined : space.genotype(c);
    if (cg !== undefined) logChild += Math.log(space.prior(cg));
    const at = typed.map((r) => ({
      sampleId: r.sampleId,
      relation: r.relation,
      genotype: space.genotype(r.profile.loci[locus]!),
    }));
    assignments.forEach((sides, a) => {
      const sideOf = new Map<string, Side>(sided.map((r, i) => [r.sampleId, sides[i]!]));
      const { withChild, without } = locusLikelihood(space, cg, at, sideOf, mu);
      logWith[a] = logWith[a]! + Math.log(withChild);
      logWithout[a] = logWithout[a]! + Math.log(without);
    });
  }
  // With no locus compared the two sums are the same numbers and logChild is 0: an index of 1.
  const combinedIndex = Math.exp(logSumExp(logWith) - logSumExp(logWithout) - logChild);
  return {
    combinedIndex,
    probability: Number.isFinite(combinedIndex) ? combinedIndex / (combinedIndex + 1) : 1,
    lociCompared: compared,
    assignments: assignments.length,
    frequencyTable: table.meta,
  };
}

function logSumExp(xs: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of xs) if (x > max) max = x;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const x of xs) sum += Math.exp(x - max);
  return max + Math.log(sum);
}

/** The alleles seen at a locus plus "other", and the genotypes over them. */
interface AlleleSpace {
  /** Frequencies, the last one "other" (negative when the seen alleles sum past 1, see `alleleSpace`). */
  p: number[];
  /** Genotypes as allele-index pairs i ≤ j. */
  genotypes: Array<readonly [number, number]>;
  genotype(g: Genotype): number;
  prior(genotype: number): number;
}

function alleleSpace(
  table: FrequencyTable,
  locus: LocusName,
  child: Genotype | undefined,
  typed: readonly PedigreeReference[],
): AlleleSpace {
  const names: string[] = [];
  const typedGenotypes = typed.map((r) => r.profile.loci[locus]!);
  for (const g of child === undefined ? typedGenotypes : [child, ...typedGenotypes]) {
    for (const a of g) if (!names.includes(a)) names.push(a);
  }
  const p = names.map((a) => table.frequency(locus, a));
  // "Other" takes what the seen alleles leave, 1 − Σ seen, even below 0. The seen alleles can
  // sum past 1 only through the NRC II minimum (a rare allele at 5/2n beside the table's common
  // ones, whose figures already sum to about 1): the closed forms then still use each figure as it
  // is (a random parent passes the child's allele a with chance p_a), and this keeps their number.
  // Leaving "other" out there (max(0, 1 − Σ)) made the untyped founders' genotypes sum to
  // (Σ seen)² instead of 1, and the index of one parent came out divided by Σ seen (5/(1.05) for a
  // closed form of 5). Rescaling the seen alleles to sum to 1 instead would make a parent's index
  // depend on its allele the child lacks, which no closed form (and no matcher table) does.
  // Nothing breaks with a negative "other": no typed person carries it, so every sum over it is a
  // sum over alleles passed to nobody typed, Σ_x p_x·f(x) = f(other) + Σ_seen p_x·(f(x) − f(other))
  // with Σ_x p_x = 1 and f(x) ≥ f(other) (a copy of a seen allele can only help explain the typed
  // genotypes), so every likelihood stays positive; a test holds the two numbers equal and positive.
  // (An "other" of exactly 0 stays too: its genotypes have probability 0 and are skipped.)
  p.push(1 - p.reduce((s, x) => s + x, 0));
  const genotypes: Array<readonly [number, number]> = [];
  const index = new Map<string, number>();
  p.forEach((_, i) => {
    for (let j = i; j < p.length; j++) {
      index.set(`${i},${j}`, genotypes.length);
      genotypes.push([i, j]);
    }
  });
  return {
    p,
    genotypes,
    genotype: (g) => {
      const i = names.indexOf(g[0]);
      const j = names.indexOf(g[1]);
      return index.get(`${Math.min(i, j)},${Math.max(i, j)}`)!;
    },
    prior: (g) => {
      const [i, j] = genotypes[g]!;
      return i === j ? p[i]! * p[i]! : 2 * p[i]! * p[j]!;
    },
  };
}

/** A typed reference at one locus: its genotype as an index of the locus's {@link AlleleSpace}. */
interface TypedAt {
  sampleId: string;
  relation: ReferenceRelation;
  genotype: number;
}

/** Likelihood at one locus, with and without the child, for one side assignment. */
function locusLikelihood(
  space: AlleleSpace,
  child: number | undefined,
  typed: readonly TypedAt[],
  sideOf: ReadonlyMap<string, Side>,
  mu: number,
): { withChild: number; without: number } {
  const { p, genotypes } = space;
  const G = genotypes.length;
  const n = p.length;
  // tau[g * n + a]: chance that a parent of genotype g passes allele a.
  const tau = new Float64Array(G * n);
  genotypes.forEach(([i, j], g) => {
    p.forEach((pa, a) => {
      const copies = (i === a ? 1 : 0) + (j === a ? 1 : 0);
      tau[g * n + a] = 0.5 * (1 - mu) * copies + mu * pa;
    });
  });
  const offspring = (mother: number, father: number, g: number) => {
    const [a, b] = genotypes[g]!;
    const ma = tau[mother * n + a]!;
    const fb = tau[father * n + b]!;
    if (a === b) return ma * fb;
    return ma * fb + tau[mother * n + b]! * tau[father * n + a]!;
  };
  // A half sibling's other parent is a random founder, who passes a with chance p_a. (For a
  // homozygous half sibling every term of both sums carries the same factor p_a, and the
  // heterozygous formula would only double it: such a constant cancels in the ratio.)
  const halfOffspring = (parent: number, g: number) => {
    const [a, b] = genotypes[g]!;
    // Stryker disable next-line ConditionalExpression,ArithmeticOperator: a constant factor of a homozygous half sibling's term (2, or 1/p_a²) cancels between numerator and denominator
    if (a === b) return tau[parent * n + a]! * p[a]!;
    return tau[parent * n + a]! * p[b]! + tau[parent * n + b]! * p[a]!;
  };
  const on = (relation: ReferenceRelation, s: Side) =>
    // Stryker disable next-line EqualityOperator: every relative on the other side turns each assignment into its mirror image, which is enumerated too: the same sums
    typed.filter((r) => r.relation === relation && sideOf.get(r.sampleId) === s);
  // W(g): the chance of the side's typed grandparents and aunts, and of its parent having g.
  const sideWeights = (s: Side, parentRelation: 'mother' | 'father') => {
    const grandparents = on('grandparent', s).map((r) => r.genotype);
    const aunts = on('aunt-uncle', s);
    const w = new Float64Array(G);
    if (grandparents.length === 0 && aunts.length === 0) {
      for (let g = 0; g < G; g++) w[g] = space.prior(g);
    } else {
      const all = genotypes.map((_, g) => g);
      const choices = (k: number) => (grandparents[k] !== undefined ? [grandparents[k]!] : all);
      for (const ga of choices(0)) {
        for (const gb of choices(1)) {
          let q = space.prior(ga) * space.prior(gb);
          for (const aunt of aunts) q *= offspring(ga, gb, aunt.genotype);
          // Stryker disable next-line ConditionalExpression: skipping a zero term is only quicker
          if (q === 0) continue;
          for (let g = 0; g < G; g++) w[g] = w[g]! + q * offspring(ga, gb, g);
        }
      }
    }
    const parent = typed.find((r) => r.relation === parentRelation);
    if (parent !== undefined) {
      const kept = w[parent.genotype]!;
      w.fill(0);
      w[parent.genotype] = kept;
    }
    return w;
  };
  const wm = sideWeights(0, 'mother');
  const wf = sideWeights(1, 'father');
  const siblings = typed.filter((r) => r.relation === 'full-sibling');
  const halfM = on('half-sibling', 0);
  const halfF = on('half-sibling', 1);
  let withChild = 0;
  let without = 0;
  for (let m = 0; m < G; m++) {
    // Stryker disable next-line ConditionalExpression: skipping a zero term is only quicker
    if (wm[m] === 0) continue;
    let am = wm[m]!;
    for (const h of halfM) am *= halfOffspring(m, h.genotype);
    for (let f = 0; f < G; f++) {
      // Stryker disable next-line ConditionalExpression: skipping a zero term is only quicker
      if (wf[f] === 0) continue;
      let x = am * wf[f]!;
      for (const h of halfF) x *= halfOffspring(f, h.genotype);
      for (const sib of siblings) x *= offspring(m, f, sib.genotype);
      without += x;
      if (child !== undefined) withChild += x * offspring(m, f, child);
    }
  }
  return { withChild: child === undefined ? without : withChild, without };
}

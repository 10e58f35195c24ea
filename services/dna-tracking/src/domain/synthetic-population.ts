/**
 * Synthetic STR profiles drawn from a frequency table with a seeded generator, for tests and
 * benchmarks: reproducible populations and families with no real person's data in them.
 */
import type { FrequencyTable } from './allele-frequencies.ts';
import type { LocusName } from './loci.ts';
import type { Genotype, StrProfile } from './profile.ts';

/** Mulberry32: a small, fast, seeded 32-bit generator; uniform numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws unrelated people (Hardy-Weinberg, loci independent) and their children (Mendel). */
export class SyntheticPopulation {
  readonly #loci: readonly LocusName[];
  readonly #alleles: (readonly string[])[];
  readonly #cumulative: Float64Array[];
  readonly #random: () => number;

  /** A population over the table's loci; `seed` fixes every draw. */
  constructor(table: FrequencyTable, seed: number) {
    this.#loci = table.loci;
    this.#random = mulberry32(seed);
    this.#alleles = this.#loci.map((locus) => table.alleles(locus));
    // Bins such as `>27` are not alleles a profile can carry; the listed alleles are
    // renormalised to sum to 1.
    this.#cumulative = this.#loci.map((locus) => {
      const f = table.alleles(locus).map((a) => table.frequency(locus, a));
      const total = f.reduce((s, x) => s + x, 0);
      let run = 0;
      return Float64Array.from(f, (x) => {
        run += x / total;
        return run;
      });
    });
  }

  /** An unrelated person. */
  person(): StrProfile {
    const loci: Partial<Record<LocusName, Genotype>> = {};
    this.#loci.forEach((locus, l) => {
      loci[locus] = genotype(this.#draw(l), this.#draw(l));
    });
    return { loci } as unknown as StrProfile;
  }

  /** A child of `mother` and `father`: one allele of each, chosen at random, no mutation. */
  childOf(mother: StrProfile, father: StrProfile): StrProfile {
    const loci: Partial<Record<LocusName, Genotype>> = {};
    for (const locus of this.#loci) {
      const m = mother.loci[locus];
      const f = father.loci[locus];
      if (m === undefined || f === undefined) continue;
      loci[locus] = genotype(this.#pick(m), this.#pick(f));
    }
    return { loci } as unknown as StrProfile;
  }

  /** A uniform integer in [0, n). */
  integer(n: number): number {
    return Math.floor(this.#random() * n);
  }

  #pick(g: Genotype): string {
    return g[this.integer(2)]!;
  }

  #draw(l: number): string {
    const cumulative = this.#cumulative[l]!;
    const alleles = this.#alleles[l]!;
    const u = this.#random();
    for (const [i, c] of cumulative.entries()) {
      // Stryker disable next-line EqualityOperator: `u <= c` differs from `u < c` only on a draw equal to a cumulative bound (measure zero). (The same mutator's `u >= c` is not equivalent and goes with it, as Stryker cannot disable one without the other; the proportions test kills it, checked by hand.)
      if (u < c) return alleles[i]!;
    }
    return alleles[alleles.length - 1]!;
  }
}

function genotype(a: string, b: string): Genotype {
  return [a, b].sort((x, y) => Number(x) - Number(y)) as unknown as Genotype;
}

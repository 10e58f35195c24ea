import { hashToUint32, Random } from './random.ts';

/** The allele frequencies the lab uses, as `GET /v1/allele-frequencies` answers them. */
export interface FrequencyTableView {
  version?: string;
  loci: Array<{ locus: string; frequencies: Record<string, number> }>;
}

export type Profile = Record<string, [string, string]>;

/**
 * A family's STR profiles drawn from the lab's own table: two unrelated parents
 * (Hardy-Weinberg) and their child (one allele from each, no mutation), seeded by the run's
 * seed and the story, so a story always has the same family. Synthetic: no real person's data.
 */
export function familyProfiles(
  table: FrequencyTableView,
  seed: number,
  story: string,
): { mother: Profile; father: Profile; child: Profile } {
  const r = new Random(hashToUint32(`${seed}:${story}:dna`));
  const loci = table.loci.filter((l) => Object.keys(l.frequencies).some((a) => /^\d+(\.\d)?$/.test(a)));
  const draw = (freqs: Record<string, number>) => {
    // Bins such as `>27` are not alleles a profile can carry.
    const alleles = Object.entries(freqs).filter(([a]) => /^\d+(\.\d)?$/.test(a));
    const total = alleles.reduce((s, [, f]) => s + f, 0);
    let x = r.next() * total;
    for (const [a, f] of alleles) {
      x -= f;
      if (x < 0) return a;
    }
    return alleles[alleles.length - 1]![0];
  };
  const person = (): Profile =>
    Object.fromEntries(loci.map((l) => [l.locus, [draw(l.frequencies), draw(l.frequencies)]])) as Profile;
  const mother = person();
  const father = person();
  const child = Object.fromEntries(
    loci.map((l) => [l.locus, [mother[l.locus]![r.int(0, 1)]!, father[l.locus]![r.int(0, 1)]!]]),
  ) as Profile;
  return { mother, father, child };
}

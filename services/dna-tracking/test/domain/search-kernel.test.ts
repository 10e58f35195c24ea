import { describe, expect, it } from 'vitest';
import { RelativeRelations } from '../../src/domain/kinship-relatives.ts';
import { ProfileIndex } from '../../src/domain/matcher.ts';
import type { StrProfile } from '../../src/domain/profile.ts';
import {
  CLASSES,
  PAIR_CLASSES,
  type ParentScanPlan,
  scanParents,
  scanRelatives,
  UNTYPED,
} from '../../src/domain/search-kernel.ts';
import { SyntheticPopulation } from '../../src/domain/synthetic-population.ts';
import { fbiTable } from './fixtures.ts';

const table = fbiTable('Caucasian');

/** The child typed at its first `n` loci only. */
const typedAt = (p: StrProfile, n: number): StrProfile =>
  ({ loci: Object.fromEntries(table.loci.slice(0, n).map((l) => [l, p.loci[l]])) }) as unknown as StrProfile;

/**
 * What the scan must find, the slow way: every parent and pair scored at every locus from the
 * plan's tables, no pre-filter, no early exit.
 */
function bruteForce(plan: ParentScanPlan): { singles: number[]; pairs: number[] } {
  const { alleles, classOf, classOffset, single, pair, width, maxBad, floor } = plan;
  const classAt = (s: number, l: number) => {
    const g1 = alleles[s * width + 2 * l]!;
    if (g1 === UNTYPED) return -1;
    return classOf[classOffset[l]! + g1]! + classOf[classOffset[l]! + alleles[s * width + 2 * l + 1]!]!;
  };
  const score = (values: number[]) => {
    let product = 1;
    let bad = 0;
    for (const v of values) {
      if (v <= 0) bad++;
      product *= Math.abs(v);
    }
    return bad < maxBad && product >= floor;
  };
  const singles: number[] = [];
  for (let s = 0; s < plan.count; s++) {
    const values = [...plan.loci].flatMap((l) =>
      classAt(s, l) < 0 ? [] : [single[l * CLASSES + classAt(s, l)]!],
    );
    if (score(values)) singles.push(s);
  }
  const pairs: number[] = [];
  for (let p = 0; p < plan.pairCount; p++) {
    const m = plan.pairMother[p]!;
    const f = plan.pairFather[p]!;
    const values = [...plan.loci].flatMap((l) => {
      const km = classAt(m, l);
      const kf = classAt(f, l);
      if (km >= 0 && kf >= 0) return [pair[l * PAIR_CLASSES + km * CLASSES + kf]!];
      if (km >= 0 || kf >= 0) return [single[l * CLASSES + Math.max(km, kf)]!];
      return [];
    });
    if (score(values)) pairs.push(p);
  }
  return { singles, pairs };
}

describe('search-kernel: the scans over ranges of slots', () => {
  const population = new SyntheticPopulation(table, 7);
  const index = new ProfileIndex(table, { shared: true });
  const mothers: StrProfile[] = [];
  const fathers: StrProfile[] = [];
  for (let i = 0; i < 400; i++) {
    mothers.push(population.person());
    fathers.push(population.person());
    index.add(`m${i}`, mothers[i]!, 'parent', { caseId: `c${i}`, relation: 'mother' });
    if (i % 5 !== 0) index.add(`f${i}`, fathers[i]!, 'parent', { caseId: `c${i}`, relation: 'father' });
    index.add(`r${i}`, population.childOf(mothers[i]!, fathers[i]!), 'relative', {
      caseId: `c${i}`,
      relation: RelativeRelations[i % RelativeRelations.length]!,
    });
  }

  it('finds what scoring every parent and pair at every locus finds, the child typed at 1 to 23 loci, over any split', () => {
    for (const n of [1, 2, 3, 4, 5, 23]) {
      for (const [i, floor] of [
        [1, 1],
        [6, 2_000],
      ] as const) {
        const child = typedAt(population.childOf(mothers[i]!, fathers[i]!), n);
        const plan = index.planParentSearch(child, { floor });
        const expected = bruteForce(plan.scan);
        const count = plan.scan.count;
        expect(scanParents(plan.scan, 0, count)).toEqual(expected);
        // Split in three uneven ranges (one empty): the same slots, and the same pairs once sorted.
        const cuts = [0, 1, 1, Math.floor(count / 3), count];
        const parts = cuts.slice(1).map((to, k) => scanParents(plan.scan, cuts[k]!, to));
        expect(parts.flatMap((p) => p.singles)).toEqual(expected.singles);
        expect(parts.flatMap((p) => p.pairs).sort((a, b) => a - b)).toEqual(expected.pairs);
        index.abandonSearch(plan);
      }
    }
  });

  it('keeps a relative whose exact index is the floor, and none below it, whatever order the scan multiplies in', () => {
    const child = population.childOf(mothers[3]!, fathers[3]!);
    const all = index.searchRelativesForChild(child, { floor: Number.MIN_VALUE });
    expect(all).toHaveLength(400);
    for (const c of all.slice(0, 25)) {
      const at = index.searchRelativesForChild(child, { floor: c.combinedIndex });
      expect(at.map((x) => x.referenceId)).toContain(c.referenceId);
      expect(at.every((x) => x.combinedIndex >= c.combinedIndex)).toBe(true);
      const above = index.searchRelativesForChild(child, { floor: c.combinedIndex * (1 + 2 ** -52) });
      expect(above.map((x) => x.referenceId)).not.toContain(c.referenceId);
    }
    // Any split of the slots finds the same.
    const plan = index.planRelativeSearch(child, { floor: 100 });
    const whole = scanRelatives(plan.scan, 0, plan.scan.count);
    expect([...scanRelatives(plan.scan, 0, 7), ...scanRelatives(plan.scan, 7, plan.scan.count)]).toEqual(
      whole,
    );
    index.abandonSearch(plan);
  });
});

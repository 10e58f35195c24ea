import { beforeAll, describe, expect, it } from 'vitest';
import { RelativeRelations } from '../../src/domain/kinship-relatives.ts';
import { ProfileIndex } from '../../src/domain/matcher.ts';
import type { StrProfile } from '../../src/domain/profile.ts';
import { loadRelativesWasm } from '../../src/domain/relatives-wasm.ts';
import {
  CarrierBits,
  CLASSES,
  MAX_FILTER_EXCLUSIONS,
  PAIR_CLASSES,
  type ParentScanPlan,
  quantiseRelativeTable,
  type RelativeScanPlan,
  SCAN_MARGIN,
  scanParents,
  scanRelatives,
  scanRelatives as scanWith,
  UNTYPED,
} from '../../src/domain/search-kernel.ts';
import { mulberry32, SyntheticPopulation } from '../../src/domain/synthetic-population.ts';
import { fbiTable } from './fixtures.ts';
import { withWasm } from './wasm-plan.ts';

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

  it('refuses an exclusion count the filter cannot count, and finds nobody when one inconsistency is too many already', () => {
    const child = population.childOf(mothers[2]!, fathers[2]!);
    const plan = index.planParentSearch(child, { floor: 1 });
    expect(() =>
      scanParents({ ...plan.scan, maxBad: MAX_FILTER_EXCLUSIONS + 1 }, 0, plan.scan.count),
    ).toThrow(new RangeError('the parent scan counts at most 8 exclusions (maxBad 9)'));
    expect(scanParents({ ...plan.scan, maxBad: 0 }, 0, plan.scan.count)).toEqual({ singles: [], pairs: [] });
    // The bound itself is counted: a parent 8 inconsistencies short of nothing is still found.
    const loose = scanParents({ ...plan.scan, maxBad: MAX_FILTER_EXCLUSIONS }, 0, plan.scan.count);
    expect(loose).toEqual(bruteForce({ ...plan.scan, maxBad: MAX_FILTER_EXCLUSIONS }));
    expect(loose.singles.length).toBeGreaterThan(0);
    index.abandonSearch(plan);
  });
});

/** A person with each locus untyped with probability `gaps`, and now and then an allele no table lists. */
function patchy(population: SyntheticPopulation, random: () => number, gaps: number): StrProfile {
  const loci: Record<string, [string, string]> = {};
  for (const [locus, genotype] of Object.entries(population.person().loci)) {
    if (random() < gaps) continue;
    const [a, b] = genotype as [string, string];
    loci[locus] = random() < 0.01 ? [a, `${40 + Math.floor(random() * 3)}.3`] : [a, b];
  }
  return { loci } as unknown as StrProfile;
}

describe('search-kernel: the parents pre-filter against scoring everyone (random populations)', () => {
  it('finds exactly what scoring every parent finds, for random children, gaps, new alleles, removals, exclusion counts and splits', () => {
    const random = mulberry32(2026);
    for (let round = 0; round < 4; round++) {
      const population = new SyntheticPopulation(table, 100 + round);
      const maxBad = 1 + (round % 4);
      const index = new ProfileIndex(table, { exclusionInconsistencies: maxBad });
      const people: StrProfile[] = [];
      // Past one growth of the packs (1,024 slots), with gaps in the parents' loci.
      for (let i = 0; i < 700; i++) {
        const m = patchy(population, random, round % 2 === 0 ? 0.05 : 0);
        const f = patchy(population, random, 0.1);
        people.push(m, f);
        index.add(`m${i}`, m, 'parent', { caseId: `c${i}`, relation: 'mother' });
        if (i % 7 !== 0) index.add(`f${i}`, f, 'parent', { caseId: `c${i}`, relation: 'father' });
        else index.add(`u${i}`, f, 'parent');
      }
      // Swap-removals move the last parents into freed slots (their bits with them).
      for (let i = 3; i < 700; i += 37) index.remove(i % 2 === 0 ? `m${i}` : `f${i}`);
      for (let q = 0; q < 4; q++) {
        const i = Math.floor(random() * 700);
        const child =
          q % 3 === 2
            ? patchy(population, random, 0.3)
            : typedAt(population.childOf(people[2 * i]!, people[2 * i + 1]!), 3 + Math.floor(random() * 21));
        const plan = index.planParentSearch(child, { floor: q % 2 === 0 ? 1e-6 : 100 });
        const expected = bruteForce(plan.scan);
        const count = plan.scan.count;
        const cut1 = Math.floor(random() * count);
        const cut2 = cut1 + Math.floor(random() * (count - cut1));
        const parts = [
          scanParents(plan.scan, 0, cut1),
          scanParents(plan.scan, cut1, cut2),
          scanParents(plan.scan, cut2, count),
        ];
        expect(parts.flatMap((p) => p.singles)).toEqual(expected.singles);
        expect(parts.flatMap((p) => p.pairs).sort((a, b) => a - b)).toEqual(expected.pairs);
        expect(scanParents(plan.scan, 0, count)).toEqual(expected);
        index.abandonSearch(plan);
      }
    }
  });

  it('drops at the exclusion count exactly: a parent one inconsistency short is scored, one at the count is not', () => {
    // Hand-made: the child is 10/11 at every locus; parent k shares no allele at its first k loci.
    const loci = table.loci;
    const genotype = (shared: boolean): [string, string] => (shared ? ['10', '12'] : ['13', '14']);
    const index = new ProfileIndex(table, { exclusionInconsistencies: 3 });
    for (let k = 0; k <= 5; k++) {
      index.add(
        `p${k}`,
        { loci: Object.fromEntries(loci.map((l, i) => [l, genotype(i >= k)])) } as unknown as StrProfile,
        'parent',
      );
    }
    const child = { loci: Object.fromEntries(loci.map((l) => [l, ['10', '11']])) } as unknown as StrProfile;
    const plan = index.planParentSearch(child, { floor: 0 });
    expect(scanParents(plan.scan, 0, plan.scan.count).singles).toEqual([0, 1, 2]);
    // An empty range finds nothing, wherever it is.
    expect(scanParents(plan.scan, 0, 0)).toEqual({ singles: [], pairs: [] });
    expect(scanParents(plan.scan, 3, 3)).toEqual({ singles: [], pairs: [] });
    index.abandonSearch(plan);
    // A parent whose product, in the scan's order, is exactly the floor is kept; just above, not.
    const { alleles, classOf, classOffset, single, width } = plan.scan;
    let product = 1;
    for (const l of plan.scan.loci) {
      const at = 2 * width + 2 * l;
      product *= Math.abs(
        single[
          l * CLASSES +
            classOf[classOffset[l]! + alleles[at]!]! +
            classOf[classOffset[l]! + alleles[at + 1]!]!
        ]!,
      );
    }
    const at = index.planParentSearch(child, { floor: product });
    expect(scanParents(at.scan, 0, at.scan.count).singles).toContain(2);
    index.abandonSearch(at);
    const above = index.planParentSearch(child, { floor: product * (1 + 2 ** -50) });
    expect(scanParents(above.scan, 0, above.scan.count).singles).not.toContain(2);
    index.abandonSearch(above);
  });
});

describe('search-kernel: what a plan does not look at', () => {
  it('skips a pair formed after the plan, though its mother was in it', () => {
    const population = new SyntheticPopulation(table, 31);
    const index = new ProfileIndex(table);
    const mother = population.person();
    const father = population.person();
    index.add('m', mother, 'parent', { caseId: 'c', relation: 'mother' });
    for (let i = 0; i < 40; i++) index.add(`x${i}`, population.person(), 'parent');
    const child = population.childOf(mother, father);
    const plan = index.planParentSearch(child, { floor: 1e-300 });
    index.add('f', father, 'parent', { caseId: 'c', relation: 'father' });
    expect(index.pairCount).toBe(1);
    expect(scanParents(plan.scan, 0, plan.scan.count)).toEqual({ singles: [0], pairs: [] });
    index.abandonSearch(plan);
    // The next search finds the pair.
    const next = index.planParentSearch(child, { floor: 1e-300 });
    expect(scanParents(next.scan, 0, next.scan.count).pairs).toEqual([0]);
    index.abandonSearch(next);
  });
});

describe('search-kernel: pairs', () => {
  const uniform = (genotype: (l: number) => [string, string]) =>
    ({ loci: Object.fromEntries(table.loci.map((l, i) => [l, genotype(i)])) }) as unknown as StrProfile;
  const child = uniform(() => ['10', '11']);

  it('has 9 classes of a genotype against a child, 81 of a pair', () => {
    expect(CLASSES).toBe(9);
    expect(PAIR_CLASSES).toBe(81);
  });

  it('excludes a pair inconsistent at the exclusion count though neither member alone is (no mutation allowed)', () => {
    const index = new ProfileIndex(table, { mutationRate: 0 });
    // The mother shares no allele at loci 0 and 1, the father none at locus 2.
    index.add(
      'm',
      uniform((i) => (i < 2 ? ['13', '14'] : ['10', '12'])),
      'parent',
      {
        caseId: 'c',
        relation: 'mother',
      },
    );
    index.add(
      'f',
      uniform((i) => (i === 2 ? ['13', '14'] : ['11', '12'])),
      'parent',
      {
        caseId: 'c',
        relation: 'father',
      },
    );
    const plan = index.planParentSearch(child, { floor: 0 });
    expect(scanParents(plan.scan, 0, 2)).toEqual({ singles: [0, 1], pairs: [] });
    expect(scanParents({ ...plan.scan, maxBad: 4 }, 0, 2)).toEqual({ singles: [0, 1], pairs: [0] });
    index.abandonSearch(plan);
  });

  it('scores a pair whose father sits just above the range, in its last word', () => {
    const population = new SyntheticPopulation(table, 5);
    const index = new ProfileIndex(table);
    for (let i = 0; i < 5; i++) index.add(`x${i}`, population.person(), 'parent');
    const mother = population.person();
    const father = population.person();
    index.add('m', mother, 'parent', { caseId: 'c', relation: 'mother' });
    index.add('f', father, 'parent', { caseId: 'c', relation: 'father' });
    const plan = index.planParentSearch(population.childOf(mother, father), { floor: 1 });
    expect(scanParents(plan.scan, 0, 6).pairs).toEqual([0]);
    expect(scanParents(plan.scan, 6, 7).pairs).toEqual([]);
    index.abandonSearch(plan);
  });

  it('scores a pair whose father sits just below the range, in its first word', () => {
    const population = new SyntheticPopulation(table, 5);
    const index = new ProfileIndex(table);
    for (let i = 0; i < 5; i++) index.add(`x${i}`, population.person(), 'parent');
    const mother = population.person();
    const father = population.person();
    index.add('f', father, 'parent', { caseId: 'c', relation: 'father' });
    index.add('m', mother, 'parent', { caseId: 'c', relation: 'mother' });
    const plan = index.planParentSearch(population.childOf(mother, father), { floor: 1 });
    expect(scanParents(plan.scan, 0, 6).pairs).toEqual([]);
    expect(scanParents(plan.scan, 6, 7).pairs).toEqual([0]);
    index.abandonSearch(plan);
  });

  it('scores a pair at loci where only one member is typed: the product exactly at the floor is kept, above it not', () => {
    const population = new SyntheticPopulation(table, 9);
    const index = new ProfileIndex(table);
    const mother = population.person();
    const father = population.person();
    const kid = population.childOf(mother, father);
    const without = (p: StrProfile, from: number, to: number) =>
      ({
        loci: Object.fromEntries(
          Object.entries(p.loci).filter(([l]) => {
            const i = table.loci.indexOf(l as never);
            return i < from || i >= to;
          }),
        ),
      }) as unknown as StrProfile;
    // The mother untyped at loci 0-5, the father at 6-9.
    index.add('m', without(mother, 0, 6), 'parent', { caseId: 'c', relation: 'mother' });
    index.add('f', without(father, 6, 10), 'parent', { caseId: 'c', relation: 'father' });
    const plan = index.planParentSearch(kid, { floor: 1 });
    const { alleles, classOf, classOffset, single, pair, width } = plan.scan;
    const classAt = (s: number, l: number) =>
      alleles[s * width + 2 * l] === UNTYPED
        ? -1
        : classOf[classOffset[l]! + alleles[s * width + 2 * l]!]! +
          classOf[classOffset[l]! + alleles[s * width + 2 * l + 1]!]!;
    let product = 1;
    for (const l of plan.scan.loci) {
      const km = classAt(0, l);
      const kf = classAt(1, l);
      const v =
        km >= 0 && kf >= 0
          ? pair[l * PAIR_CLASSES + km * CLASSES + kf]!
          : single[l * CLASSES + Math.max(km, kf)]!;
      product *= Math.abs(v);
    }
    index.abandonSearch(plan);
    const at = index.planParentSearch(kid, { floor: product });
    expect(scanParents(at.scan, 0, 2).pairs).toEqual([0]);
    index.abandonSearch(at);
    const above = index.planParentSearch(kid, { floor: product * (1 + 2 ** -50) });
    expect(scanParents(above.scan, 0, 2).pairs).toEqual([]);
    index.abandonSearch(above);
  });

  it('marks a parent in no pair apart from every pair: removing it removes none, removing a paired one its pair', () => {
    const population = new SyntheticPopulation(table, 12);
    const index = new ProfileIndex(table);
    for (const c of ['a', 'b']) {
      index.add(`m${c}`, population.person(), 'parent', { caseId: c, relation: 'mother' });
      index.add(`f${c}`, population.person(), 'parent', { caseId: c, relation: 'father' });
    }
    index.add('u', population.person(), 'parent');
    expect(index.pairCount).toBe(2);
    index.remove('u');
    expect(index.pairCount).toBe(2);
    index.remove('mb');
    expect(index.pairCount).toBe(1);
  });
});

describe('search-kernel: CarrierBits', () => {
  const row = (...codes: number[]) => Uint16Array.from(codes);

  it('holds each slot under the codes it carries at each locus, and the untyped apart', () => {
    const bits = new CarrierBits(2, 64, false);
    bits.set(0, row(1, 2, UNTYPED, UNTYPED), true);
    bits.set(33, row(2, 2, 0, 5), true);
    const [a, b, untyped] = bits.filterAt(0, 1, 2);
    expect([...a]).toEqual([1, 0]);
    expect([...b]).toEqual([1, 2]);
    // Nobody untyped at locus 0: the empty set.
    expect([...untyped]).toEqual([0, 0]);
    const [c0, c5, u1] = bits.filterAt(1, 0, 5);
    expect([...c0]).toEqual([0, 2]);
    expect([...c5]).toEqual([0, 2]);
    expect([...u1]).toEqual([1, 0]);
    // A code nobody carries reads the empty set.
    expect([...bits.filterAt(1, 7, 7)[0]]).toEqual([0, 0]);
    // Forgetting clears exactly those bits, and an untyped set nobody is left in is no longer read.
    bits.set(0, row(1, 2, UNTYPED, UNTYPED), false);
    expect([...bits.filterAt(0, 1, 2)[1]]).toEqual([0, 2]);
    expect([...bits.filterAt(1, 0, 5)[2]]).toEqual([0, 0]);
    expect(bits.filterAt(1, 0, 5)[2]).toBe(bits.filterAt(1, 7, 7)[0]);
  });

  it('keeps its bits through growth, on SharedArrayBuffers when shared, and counts its bytes', () => {
    const bits = new CarrierBits(1, 32, true);
    bits.set(31, row(3, 4), true);
    // One word each: the empty set, the untyped set, codes 3 and 4.
    expect(bits.byteLength).toBe(4 * 4);
    bits.grow(96);
    bits.set(95, row(3, 3), true);
    const [three, four, untyped] = bits.filterAt(0, 3, 4);
    expect([...three]).toEqual([1 << 31, 0, 1 << 31]);
    expect([...four]).toEqual([1 << 31, 0, 0]);
    expect(untyped).toHaveLength(3);
    expect(three.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(bits.byteLength).toBe(4 * 3 * 4);
    expect(new CarrierBits(1, 32, false).filterAt(0, 0, 0)[0].buffer).toBeInstanceOf(ArrayBuffer);
  });
});

// Every case run by the JavaScript loop and by the WebAssembly pre-scan (relatives-wasm.ts): the
// same finds, exactly.
describe.each(['js', 'wasm'] as const)(
  'search-kernel: the relatives scan for any number of loci (%s)',
  (kernel) => {
    beforeAll(() => loadRelativesWasm());
    const scanRelatives = (plan: RelativeScanPlan, from: number, to: number) =>
      scanWith(kernel === 'wasm' ? withWasm(plan) : plan, from, to);

    it('keeps exactly the references whose product reaches the floor, within the margin, for 1 to 9 loci', () => {
      const random = mulberry32(18);
      for (let loci = 1; loci <= 9; loci++) {
        const genotypeCount = 6;
        const n = 300;
        // Two relationships: the key of genotype id g for relationship r is g * 2 + r; id 0 (the
        // padding of an odd row) indexes 1, as untyped does.
        const width = loci + (loci % 2);
        const relation = Uint8Array.from({ length: n }, () => Math.floor(random() * 2));
        const genotypes = Uint16Array.from(
          { length: n * width },
          (_, k) =>
            (k % width < loci ? Math.floor(random() * genotypeCount) : 0) * 2 +
            relation[Math.floor(k / width)]!,
        );
        const table = Float64Array.from({ length: 2 * genotypeCount }, (_, k) =>
          k < 2 ? 1 : 0.2 + 3 * random(),
        );
        const product = (s: number) => {
          let p = 1;
          for (let l = 0; l < loci; l++) p *= table[genotypes[s * width + l]!]!;
          return p;
        };
        // Reference 17 a hair below the floor: within the margin, so kept for the exact rescoring.
        const floor = product(17) * (1 + SCAN_MARGIN / 2);
        const plan: RelativeScanPlan = {
          genotypes,
          width,
          loci,
          count: n,
          table,
          logTable: quantiseRelativeTable(table),
          floor,
        };
        const expected = Array.from({ length: n }, (_, s) => s).filter(
          (s) => product(s) >= floor * (1 - SCAN_MARGIN),
        );
        expect(scanRelatives(plan, 0, n)).toEqual(expected);
        expect(expected).toContain(17);
        if (loci % 2 === 1) {
          // The padding key of an odd row is not read: pointed at an index of 2^-20 (which would
          // take 20 bits off every sum), the finds are the same.
          const tiny = Float64Array.from([...table, 2 ** -20]);
          const padded = Uint16Array.from(genotypes, (g, k) => (k % width === loci ? table.length : g));
          const withTiny = { ...plan, genotypes: padded, table: tiny, logTable: quantiseRelativeTable(tiny) };
          expect(scanRelatives(withTiny, 0, n)).toEqual(expected);
        }
        // A product exactly at the scan's cut is kept (table values powers of two: every order
        // multiplies exactly).
        const exact = Float64Array.from(table, (v) => 2 ** Math.round(Math.log2(v)));
        const exactProduct = (s: number) => {
          let p = 1;
          for (let l = 0; l < loci; l++) p *= exact[genotypes[s * width + l]!]!;
          return p;
        };
        // The floor whose cut is exactly a product, when there is one.
        const cutAt = (target: number) =>
          [1, 1 + 2 ** -52, 1 - 2 ** -53]
            .map((k) => (target / (1 - SCAN_MARGIN)) * k)
            .find((f) => f * (1 - SCAN_MARGIN) === target);
        const s0 = Array.from({ length: n }, (_, s) => s).find((s) => cutAt(exactProduct(s)) !== undefined)!;
        const atCut = {
          ...plan,
          table: exact,
          logTable: quantiseRelativeTable(exact),
          floor: cutAt(exactProduct(s0))!,
        };
        expect(scanRelatives(atCut, 0, n)).toContain(s0);
        expect(expected.length).toBeLessThan(n);
        expect([...scanRelatives(plan, 0, 100), ...scanRelatives(plan, 100, n)]).toEqual(expected);
        expect(scanRelatives(plan, 5, 5)).toEqual([]);
        // A floor of 0, or below, keeps every reference; a floor a millionth above a product
        // (within what the quantised sums pass on) does not keep it.
        const all = Array.from({ length: n }, (_, s) => s);
        expect(scanRelatives({ ...plan, floor: 0 }, 0, n)).toEqual(all);
        expect(scanRelatives({ ...plan, floor: -1 }, 0, n)).toEqual(all);
        expect(scanRelatives({ ...plan, floor: product(17) * (1 + 1e-6) }, 0, n)).not.toContain(17);
      }
    });

    it('keeps a reference exactly at the floor when every locus rounds its log up by almost a unit', () => {
      // 2^16 · log2(1.0056) has a fraction of 0.994: rounded up by 0.006 of a unit, where rounding
      // down would lose 0.994 a locus, 30 units over 30 loci, more than the sums' slack.
      const v = 1.0056;
      const fraction = (Math.log2(v) * 2 ** 16) % 1;
      expect(fraction).toBeGreaterThan(0.9);
      const loci = 30;
      const table = Float64Array.from([1, 1, v, v]);
      const genotypes = new Uint16Array(loci).fill(2);
      let product = 1;
      for (let l = 0; l < loci; l++) product *= v;
      const plan: RelativeScanPlan = {
        genotypes,
        width: loci,
        loci,
        count: 1,
        table,
        logTable: quantiseRelativeTable(table),
        floor: product,
      };
      expect(scanRelatives(plan, 0, 1)).toEqual([0]);
      expect(scanRelatives({ ...plan, floor: product * 1.001 }, 0, 1)).toEqual([]);
    });
  },
);
